"""What every picture shares: pyplot without a display, atomic saving, grids of panels."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path


def _pyplot():
    """``matplotlib.pyplot``, switched to "Agg" first when there is no display to draw on."""
    import matplotlib

    if (
        "matplotlib.pyplot" not in sys.modules
        and not os.environ.get("MPLBACKEND")
        and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(fig, path):
    """Save ``fig`` to ``path`` atomically (when given) and return it."""
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig, path, dpi=110):
    """Write ``fig`` to ``path`` (PNG unless the suffix names another format), atomically.

    The figure is drawn into a temporary file in the target folder, which then
    replaces ``path`` in one rename (:func:`glassnet.persistence.atomic_write`):
    readers see the old file or the new one, never a partial one.
    """
    from ..io.files import atomic_write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, bbox_inches="tight")
    return path


def _grid_shape(n, max_cols=4):
    cols = min(max_cols, n)
    return math.ceil(n / cols), cols


def _subplots(plt, n, size=(3.2, 2.6), max_cols=4):
    """A figure with exactly ``n`` axes laid out in a grid (unused cells removed)."""
    rows, cols = _grid_shape(n, max_cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    axes = list(axes.ravel())
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, axes[:n]
