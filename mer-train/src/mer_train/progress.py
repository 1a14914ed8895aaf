"""Progress bars (tqdm) only where someone watches them.

A bar redraws itself with carriage returns; in a log file or a CI log every redraw is a line (the
CI log of the training test held thousands). tqdm's own rule, ``disable=None``, turns a bar off
when its stream (stderr) is not a terminal; on top of that bars are off under pytest (``pytest -s``
leaves stderr a terminal) and when ``MER_PROGRESS=0``. ``MER_PROGRESS=1`` forces them on.
"""

from __future__ import annotations

import os
from typing import Any

from tqdm import tqdm


def progress_enabled(enabled: bool | None = None) -> bool | None:
    """``enabled`` if given; else the environment: False under pytest or with MER_PROGRESS=0, True
    with MER_PROGRESS=1, None (tqdm decides: on a terminal only) otherwise."""
    if enabled is not None:
        return enabled
    env = os.environ.get("MER_PROGRESS", "").strip()
    if env in ("0", "1"):
        return env == "1"
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    return None


def progress_bar(iterable: Any = None, *, enabled: bool | None = None, **kwargs: Any) -> tqdm:
    """``tqdm(iterable, **kwargs)``, shown only as ``progress_enabled`` says."""
    on = progress_enabled(enabled)
    return tqdm(iterable, disable=None if on is None else not on, **kwargs)
