"""greenrun.track / Tracker: measure this process from Python (docs/python.md).

The work is the engine's (engine::Tracker, include/greenrun/tracker.h):
sampling on a C++ thread, the record, the store. This file checks argument
types, turns the engine's answers into labelled figures, and keeps the
promise that a failure inside the tracker never stops the training script:
it warns once and carries on.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
import warnings
import weakref

# The extension and the result types load on first use (start(), a
# figure), so that `import greenrun` stays cheap.


class GreenrunWarning(UserWarning):
    """Something the tracker could not do; the script goes on."""


class BudgetExceeded(Exception):
    """Raised by epoch_end() when the predicted emissions exceed budget_kg
    (on_budget="stop"); a ``with greenrun.track(...)`` block ends quietly on it
    and the record says so."""


_running = weakref.WeakSet()  # trackers started and not stopped


def _check(name, value, types, what):
    if value is not None and not isinstance(value, types):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")


class Tracker:
    """Measures this process (and what it forks) from start() to stop().

    Use it as ``with greenrun.track(...) as run:``, as a decorator, or with
    explicit ``start()`` / ``stop()`` across notebook cells."""

    def __init__(self, project: str = "", phase: str = "", zone: Optional[str] = None,
                 region: Optional[str] = None, *, interval: float = 1.0, pue: float = 1.0,
                 sensors: Optional[str] = None, out_dir: Optional[str] = None, store: Optional[str] = None,
                 epochs: Optional[int] = None, epochs_before_pred: int = 1, budget_kg: Optional[float] = None,
                 on_budget: str = "stop", callback: Optional[Callable[[Record], None]] = None,
                 on_sample: Optional[Callable[[dict], None]] = None, command: Optional[list] = None):
        for name, value in (("project", project), ("phase", phase)):
            _check(name, value, str, "a string")
        for name, value in (("zone", zone), ("region", region), ("sensors", sensors), ("out_dir", out_dir),
                            ("store", store)):
            _check(name, value, (str, os.PathLike), "a string")
        for name, value in (("interval", interval), ("pue", pue), ("budget_kg", budget_kg)):
            if isinstance(value, bool):
                raise TypeError(f"{name}: expected a number, got bool")
            _check(name, value, (int, float), "a number")
        for name, value in (("epochs", epochs), ("epochs_before_pred", epochs_before_pred)):
            if isinstance(value, bool) or (value is not None and not isinstance(value, int)):
                raise TypeError(f"{name}: expected an integer, got {type(value).__name__}")
        if epochs_before_pred < 0:
            raise ValueError(f"epochs_before_pred: expected 0 or more, got {epochs_before_pred}")
        if zone is not None and region is not None:
            raise ValueError("give one of zone and region")
        if on_budget not in ("stop", "warn"):
            raise ValueError(f'on_budget: expected "stop" or "warn", got {on_budget!r}')
        for name, fn in (("callback", callback), ("on_sample", on_sample)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name}: expected a callable, got {type(fn).__name__}")
        self._kwargs = dict(project=project, phase=phase, zone=zone, region=region, interval=float(interval),
                            pue=float(pue), sensors=sensors, out_dir=None if out_dir is None else os.fspath(out_dir),
                            store=None if store is None else os.fspath(store), epochs=epochs,
                            epochs_before_pred=epochs_before_pred,
                            budget_kg=None if budget_kg is None else float(budget_kg),
                            command=list(command) if command is not None else list(sys.argv or ["python"]))
        self._on_budget = on_budget
        self._callback = callback
        self._on_sample = on_sample
        self._native = None
        self._pid = None
        self._started = False
        self._record: Optional[Record] = None
        self._warned: set = set()
        self._last_prediction: Optional[Prediction] = None

    # ---- life cycle

    def start(self) -> "Tracker":
        """Starts measuring. Bad arguments raise ValueError; any other failure
        warns once and the script runs unmeasured."""
        if self._started:
            raise ValueError("start: this tracker was already started (make a new one per run)")
        self._started = True
        self._pid = os.getpid()
        try:
            from . import _greenrun
            self._native = _greenrun.Tracker(**self._kwargs)
        except ValueError:
            raise
        except Exception as e:  # sensors, store, folder: measure nothing, never fail the script
            self._warn(f"not measuring: {e}")
            return self
        if self._on_sample is not None:
            self._guard("on_sample", self._native.on_sample, self._on_sample)
        _running.add(self)
        return self

    def stop(self, _exit_status: int = 0, _note: str = "") -> Optional[Record]:
        """Stops, writes the record (run.json, timeline.jsonl, emissions.csv,
        the store row) and returns it; None when nothing was measured."""
        if self._native is None or self._forked():
            return self._record
        native, self._native = self._native, None
        _running.discard(self)
        try:
            from ._record import Record
            path = native.stop(_exit_status, _note)
            self._record = Record.load(path)
        except Exception as e:
            self._warn(f"the run could not be recorded: {e}")
            return None
        if self._callback is not None:
            self._guard("callback", self._callback, self._record)
        return self._record

    @property
    def record(self) -> Optional[Record]:
        return self._record

    @property
    def id(self) -> Optional[str]:
        return self._native.id if self._native is not None else (self._record.id if self._record else None)

    def __enter__(self) -> "Tracker":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> bool:
        status, note = 0, ""
        if exc_type is not None:
            if issubclass(exc_type, KeyboardInterrupt):
                status, note = 130, "ended by KeyboardInterrupt"
            elif issubclass(exc_type, BudgetExceeded):
                note = f"stopped early: {exc}"
            else:
                status, note = 1, f"ended by an exception: {exc_type.__name__}: {exc}"
        self.stop(status, note)
        return exc_type is not None and issubclass(exc_type, BudgetExceeded)

    def __call__(self, fn):
        """As a decorator: every call of ``fn`` is one run."""
        if self._started:
            raise ValueError("a started tracker cannot decorate a function")
        kwargs, on_budget, callback, on_sample = self._kwargs, self._on_budget, self._callback, self._on_sample

        @functools.wraps(fn)
        def wrapper(*args, **kw):
            t = Tracker(**{k: v for k, v in kwargs.items()}, on_budget=on_budget, callback=callback,
                        on_sample=on_sample)
            with t:
                return fn(*args, **kw)

        return wrapper

    # ---- during the run

    @contextlib.contextmanager
    def phase(self, name: str):
        """A named window; phases may overlap and nest."""
        _check("name", name, str, "a string")
        if not name:
            raise ValueError("phase: expected a name, got an empty one")
        self._call("phase", "phase_begin", name)
        try:
            yield self
        finally:
            self._call("phase", "phase_end", name)

    def mark(self, name: str, value: Optional[float] = None) -> None:
        """A mark on the timeline (``run.mark("epoch", 3)``)."""
        _check("name", name, str, "a string")
        if isinstance(value, bool) or (value is not None and not isinstance(value, (int, float))):
            raise TypeError(f"value: expected a number, got {type(value).__name__}")
        self._call("mark", "mark", name, None if value is None else float(value))

    def epoch_start(self) -> None:
        self._call("epoch", "epoch_start")

    def epoch_end(self) -> Optional[Epoch]:
        """Ends an epoch; returns it with the prediction once ``epochs_before_pred``
        epochs are known. With ``budget_kg`` and on_budget="stop", raises
        BudgetExceeded when the predicted emissions exceed the budget."""
        d = self._call("epoch", "epoch_end")
        if d is None:
            return None
        from ._quantity import Quantity
        from ._record import Epoch, Prediction
        pred = Prediction.of(d["prediction"]) if d["prediction"] is not None else None
        if pred is not None:
            self._last_prediction = pred
        method = self.energy.method if self._native is not None else "measured"
        ep = Epoch(d["epoch"], d["duration_s"], Quantity(d["job_j"], "J", method, f"epoch {d['epoch']}"), pred,
                   d["over_budget"])
        if ep.over_budget:
            msg = (f"predicted emissions {pred.emissions} exceed the budget of "
                   f"{self._kwargs['budget_kg']:g} kg CO2e (after epoch {ep.epoch})")
            if self._on_budget == "stop":
                raise BudgetExceeded(msg)
            self._warn(msg)
        return ep

    @property
    def prediction(self) -> Optional[Prediction]:
        return self._last_prediction

    def live(self) -> Optional[dict]:
        return self._call("live", "live")

    @property
    def energy(self) -> "Quantity":
        """The job's energy so far (the process tree's share), with its method."""
        from ._quantity import Quantity
        d = self.live()
        if d is None:
            return Quantity(float("nan"), "J", "unavailable", "not measuring (see the warning)")
        return Quantity(d["job_j"], "J", d["method"], "job share so far")

    @property
    def emissions(self) -> "Quantity":
        """Emissions so far (job energy x PUE x intensity), with method and source."""
        from ._quantity import Quantity
        d = self.live()
        if d is None or d["emissions_g"] is None:
            why = d["emissions_source"] if d else "not measuring (see the warning)"
            return Quantity(float("nan"), "g CO2e", "unavailable", why)
        return Quantity(d["emissions_g"], "g CO2e", d["method"], d["emissions_source"])

    # ---- failure policy: warn once, go on

    def _forked(self) -> bool:
        return self._pid is not None and os.getpid() != self._pid

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(f"greenrun: {message}", GreenrunWarning, stacklevel=3)

    def _guard(self, what, fn, *args):
        try:
            return fn(*args)
        except Exception as e:
            self._warn(f"{what} failed: {e}")
            return None

    def _call(self, what, method, *args):
        if self._native is None or self._forked():
            return None
        try:
            return getattr(self._native, method)(*args)
        except ValueError:
            raise
        except Exception as e:
            self._warn(f"{what} failed: {e}")
            return None


def track(fn=None, /, **kwargs):
    """``with greenrun.track(project=..., phase=..., zone=...) as run:``, or
    ``@greenrun.track(...)`` / ``@greenrun.track`` on a function."""
    if fn is not None:
        if not callable(fn):
            raise TypeError(f"track: expected keyword arguments or a function, got {type(fn).__name__}")
        return Tracker(**kwargs)(fn)
    return Tracker(**kwargs)


def _stop_all_at_exit():
    for t in list(_running):
        if not t._forked():
            t.stop(0, "stopped at interpreter exit (stop() was not called)")


def _after_fork_in_child():
    # Forked workers inherit trackers but not their thread: they must not
    # stop, sample or record (the parent counts their CPU time).
    _running.clear()


atexit.register(_stop_all_at_exit)
os.register_at_fork(after_in_child=_after_fork_in_child)
