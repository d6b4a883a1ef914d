"""Arguments a peer's API takes that mean nothing here: accepted, and said
once (never silently dropped)."""
import warnings

from .._tracker import GreenrunWarning

_said: set = set()


def report(api: str, names, why: str) -> None:
    """Warns once about `names` (arguments accepted but not used) and why;
    names=None: `why` alone, a note about what the drop-in did."""
    if names is not None:
        names = sorted(names)
        if not names:
            return
    key = (api, tuple(names or ()), why)
    if key in _said:
        return
    _said.add(key)
    text = f"accepted but not used: {', '.join(names)} ({why})" if names else why
    warnings.warn(f"greenrun ({api}): {text}", GreenrunWarning, stacklevel=4)
