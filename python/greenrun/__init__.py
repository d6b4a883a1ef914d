"""greenrun from Python: measure a training script's energy and emissions,
predict a job from its first epochs, plan carbon-aware, and follow the
checkpoint contract — over greenrun's engine (docs/python.md).

    import greenrun
    with greenrun.track(project="resnet", phase="training", zone="DE") as run:
        for epoch in range(10):
            with run.phase("train"):
                train()
            with run.phase("eval"):
                evaluate()
            run.mark("epoch", epoch)
    print(run.record)   # also in `greenrun runs list`
"""
from . import _greenrun
from ._checkpoint import checkpoint_requested, on_checkpoint
from ._quantity import Quantity, Range
from ._record import Prediction, Record
from ._tracker import BudgetExceeded, Epoch, GreenrunWarning, Tracker, track

__version__ = _greenrun.version()


def __getattr__(name):
    # The carbon-aware queries load on first use, so `import greenrun` stays fast.
    if name in ("plan", "intensity", "emissions", "runs", "Plan", "PlanOption", "PlannedLocation", "Intensity",
                "IntensityPoint", "Emissions"):
        from . import _queries
        return getattr(_queries, name)
    raise AttributeError(f"module 'greenrun' has no attribute {name!r}")


__all__ = ["track", "Tracker", "Quantity", "Range", "Record", "Prediction", "Epoch", "BudgetExceeded",
           "GreenrunWarning", "checkpoint_requested", "on_checkpoint", "plan", "intensity", "emissions", "runs"]
