"""Arguments a peer's API takes that mean nothing here: accepted, and said
once (never silently dropped)."""
import warnings

from .._tracker import GreenrunWarning

_said: set = set()


def report(api: str, names, why: str) -> None:
    names = sorted(n for n in names)
    if not names:
        return
    key = (api, tuple(names), why)
    if key in _said:
        return
    _said.add(key)
    warnings.warn(f"greenrun ({api}): accepted but not used: {', '.join(names)} ({why})", GreenrunWarning,
                  stacklevel=4)
