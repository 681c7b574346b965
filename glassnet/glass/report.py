"""The HTML report of a training run: one self-contained file.

``report.html`` needs nothing beside it: the CSS is inline and every picture is
embedded as a ``data:image/png;base64,…`` URI, so the file can be mailed,
archived or opened from anywhere. It shows the metrics, the pictures, the
configuration of the run and the history (every k-th epoch for long runs).
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io.files import atomic_write

if TYPE_CHECKING:
    from .._typing import PathLike
    from ..training import History

__all__ = ["write_report", "render_report"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       background: #f6f7f9; color: #1f2328; }
header { background: #1f3b57; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 24px; }
header p { margin: 0; opacity: 0.85; }
main { padding: 16px 32px 40px 32px; max-width: 1200px; }
section { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 12px 20px;
          margin: 16px 0; }
h2 { font-size: 18px; margin: 4px 0 12px 0; color: #1f3b57; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border-bottom: 1px solid #e5e8eb; padding: 4px 12px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef2f6; }
td.key { font-weight: 600; text-align: left; }
.metrics td.value { font-family: ui-monospace, Menlo, Consolas, monospace; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; flex: 1 1 460px; max-width: 560px; }
figure img { width: 100%; height: auto; border: 1px solid #e5e8eb; border-radius: 4px; }
figure.wide { flex-basis: 100%; max-width: 100%; }
figcaption { text-align: center; font-size: 13px; color: #57606a; margin-top: 4px; }
footer { color: #57606a; font-size: 12px; padding: 0 32px 24px 32px; }
"""


def _format(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_format(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_format(v)}" for k, v in value.items())
    return str(value)


def _key_value_table(mapping: Mapping[str, Any], css_class: str = "") -> str:
    rows = "\n".join(
        f'<tr><td class="key">{html.escape(str(k))}</td><td class="value">{html.escape(_format(v))}</td></tr>'
        for k, v in mapping.items()
    )
    return f'<table class="{css_class}">\n{rows}\n</table>'


def _history_columns(history: History | Mapping[str, Sequence[Any]] | None) -> dict[str, list[Any]]:
    if history is None:
        return {}
    data = history.as_dict() if hasattr(history, "as_dict") else dict(history)
    return {k: list(v) for k, v in data.items() if isinstance(v, (list, tuple)) and v}


def _history_table(history: History | Mapping[str, Sequence[Any]] | None, max_rows: int = 40) -> str:
    columns = _history_columns(history)
    if not columns:
        return "<p>No history recorded.</p>"
    n = max(len(v) for v in columns.values())
    step = max(1, math.ceil(n / max_rows))
    epochs = list(range(0, n, step))
    if epochs[-1] != n - 1:
        epochs.append(n - 1)
    names = list(columns)
    head = "<tr><th>epoch</th>" + "".join(f"<th>{html.escape(k)}</th>" for k in names) + "</tr>"
    body = []
    for i in epochs:
        cells = "".join(
            f"<td>{html.escape(_format(columns[k][i])) if i < len(columns[k]) else ''}</td>" for k in names
        )
        body.append(f"<tr><td>{i + 1}</td>{cells}</tr>")
    note = f"<p>Every {step}th epoch and the last one.</p>" if step > 1 else ""
    return note + "<table>\n" + head + "\n" + "\n".join(body) + "\n</table>"


def _png_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a PNG's IHDR chunk, or None for anything else."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _figure(name: str, path: PathLike) -> str:
    raw = Path(path).read_bytes()
    size = _png_size(raw)
    wide = size is not None and size[0] > 1.8 * size[1]  # side-by-side panels get the full width
    data = base64.b64encode(raw).decode("ascii")
    title = html.escape(name.replace("_", " "))
    css = ' class="wide"' if wide else ""
    return (
        f'<figure{css}><img src="data:image/png;base64,{data}" alt="{title}">'
        f"<figcaption>{title}</figcaption></figure>"
    )


def render_report(
    metrics: Mapping[str, Any] | None,
    history: History | Mapping[str, Sequence[Any]] | None = None,
    images: Mapping[str, PathLike] | None = None,
    config: Mapping[str, Any] | None = None,
    title: str = "glassnet run",
) -> str:
    """The report as an HTML string (see :func:`write_report`)."""
    from .. import __version__

    images = images or {}
    figures = "\n".join(_figure(name, path) for name, path in images.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{html.escape(title)}</h1>"
        f"<p>A glassnet {html.escape(__version__)} training run</p></header>",
        "<main>",
        f"<section><h2>Metrics</h2>{_key_value_table(metrics or {}, 'metrics')}</section>",
    ]
    if figures:
        parts.append(f'<section><h2>Pictures</h2><div class="figures">{figures}</div></section>')
    if config:
        parts.append(f"<section><h2>Configuration</h2>{_key_value_table(config)}</section>")
    parts.append(f"<section><h2>History</h2>{_history_table(history)}</section>")
    parts.append(
        "</main><footer>Self-contained report: the pictures are embedded in this file.</footer></body></html>"
    )
    return "\n".join(parts)


def write_report(
    run_dir: PathLike,
    metrics: Mapping[str, Any] | None,
    history: History | Mapping[str, Sequence[Any]] | None = None,
    images: Mapping[str, PathLike] | None = None,
    config: Mapping[str, Any] | None = None,
    title: str | None = None,
    filename: str = "report.html",
) -> Path:
    """Write ``run_dir/report.html``, self-contained, atomically.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (must exist).
    metrics : dict
        Name → value (accuracy, R², loss, time, …), shown as a table.
    history : History or dict of lists, optional
        Per-epoch figures; long runs show every k-th epoch (at most ~40 rows).
    images : dict, optional
        Caption → path of a PNG file; each is embedded as a base64 data URI.
    config : dict, optional
        The settings of the run.
    title : str, optional
        Defaults to ``"glassnet run: <folder name>"``.

    Returns
    -------
    Path of the report.
    """
    folder = Path(run_dir)
    title = title or f"glassnet run: {folder.resolve().name}"
    text = render_report(metrics, history, images, config, title)
    path = folder / filename
    with atomic_write(path, "w") as f:
        f.write(text)
    return path
