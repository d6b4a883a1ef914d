"""The checkpoint contract of ``greenrun run --pause-mode checkpoint``
(docs/execution.md): on the checkpoint signal (SIGUSR1 unless
``--checkpoint-signal`` says otherwise), finish the current unit of work,
save, and exit 0 within the grace period; started again, continue.

    greenrun.on_checkpoint(lambda: save(state))   # optional
    while not done:
        step()
        if greenrun.checkpoint_requested():
            save(state); sys.exit(0)

The handler only sets a flag (and calls the functions given to
on_checkpoint from the main thread, between bytecodes, as Python runs
signal handlers), so the work loop checkpoints at a consistent point.
"""
from __future__ import annotations

_requested = False
_installed = None  # the signal number a handler is installed for
_callbacks = []


def _signal_number(sig) -> int:
    import signal as _signal  # here, not at import: `import greenrun` stays cheap

    if sig is None:
        return int(_signal.SIGUSR1)
    if isinstance(sig, bool):
        raise TypeError("signal: expected a signal name or number, got bool")
    if isinstance(sig, int):
        return int(sig)
    if isinstance(sig, str):
        name = sig.upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        if not hasattr(_signal, name):
            raise ValueError(f"signal: expected a signal name such as USR1, got {sig!r}")
        return int(getattr(_signal, name))
    raise TypeError(f"signal: expected a signal name or number, got {type(sig).__name__}")


def _handler(signum, frame):
    global _requested
    _requested = True
    for fn in list(_callbacks):
        fn()


def _install(sig) -> None:
    global _installed
    num = _signal_number(sig)
    if _installed != num:
        import signal as _signal
        _signal.signal(num, _handler)
        _installed = num


def checkpoint_requested(signal=None) -> bool:
    """True once the checkpoint signal has arrived. The first call installs
    the handler (call it early, before the work starts)."""
    _install(signal)
    return _requested


def on_checkpoint(fn, signal=None) -> None:
    """Calls ``fn()`` when the checkpoint signal arrives (in the main thread,
    as Python runs signal handlers); checkpoint_requested() turns True too."""
    if not callable(fn):
        raise TypeError(f"on_checkpoint: expected a callable, got {type(fn).__name__}")
    _install(signal)
    _callbacks.append(fn)
