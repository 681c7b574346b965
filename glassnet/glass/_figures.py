"""What every picture shares: pyplot without a display, atomic saving, grids of panels."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .._typing import PathLike


def _pyplot() -> ModuleType:
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


def _finish(fig: Figure, path: PathLike | None) -> Figure:
    """Save ``fig`` to ``path`` atomically (when given) and return it."""
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig: Figure, path: PathLike, dpi: float = 110) -> Path:
    """Write ``fig`` to ``path`` (PNG unless the suffix names another format), atomically.

    The figure is drawn into a temporary file in the target folder, which then
    replaces ``path`` in one rename (:func:`glassnet.persistence.atomic_write`):
    readers see the old file or the new one, never a partial one.
    """
    from ..io.files import atomic_write

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fmt = target.suffix.lstrip(".").lower() or "png"
    with atomic_write(target, "wb") as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, bbox_inches="tight")
    return target


def _grid_shape(n: int, max_cols: int = 4) -> tuple[int, int]:
    cols = min(max_cols, n)
    return math.ceil(n / cols), cols


def _subplots(
    plt: ModuleType, n: int, size: tuple[float, float] = (3.2, 2.6), max_cols: int = 4
) -> tuple[Figure, list[Axes]]:
    """A figure with exactly ``n`` axes laid out in a grid (unused cells removed)."""
    rows, cols = _grid_shape(n, max_cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    cells: list[Axes] = list(axes.ravel())
    for ax in cells[n:]:
        fig.delaxes(ax)
    return fig, cells[:n]
