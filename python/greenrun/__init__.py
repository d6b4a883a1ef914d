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

`import greenrun` loads only this file, the tracker's front end and the
checkpoint helpers; the extension (the engine) and the rest load on first use,
so importing costs a training script next to nothing.
"""
from ._checkpoint import checkpoint_requested, on_checkpoint
from ._tracker import BudgetExceeded, GreenrunWarning, Tracker, track

_LAZY = {
    "Quantity": "._quantity", "Range": "._quantity",
    "Record": "._record", "Prediction": "._record", "Epoch": "._record",
    "plan": "._queries", "intensity": "._queries", "emissions": "._queries", "runs": "._queries",
    "Plan": "._queries", "PlanOption": "._queries", "PlannedLocation": "._queries", "Intensity": "._queries",
    "IntensityPoint": "._queries", "Emissions": "._queries",
}


def __getattr__(name):
    if name == "__version__":
        from . import _greenrun
        return _greenrun.version()
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'greenrun' has no attribute {name!r}")


__all__ = ["track", "Tracker", "Quantity", "Range", "Record", "Prediction", "Epoch", "BudgetExceeded",
           "GreenrunWarning", "checkpoint_requested", "on_checkpoint", "plan", "intensity", "emissions", "runs"]
