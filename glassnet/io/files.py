"""Files written so that nothing the user had is lost: atomically, as JSON or PNG.

:func:`atomic_write` writes to a temporary file beside the target and renames it
over the target (``os.replace``) only once everything is written, so a crash, an
error or Ctrl-C midway leaves the previous file untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, TextIO, overload

import numpy as np

from .._typing import PathLike

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The process umask, read once: mkstemp creates files as 0600, renamed files get the usual mode.
_UMASK = os.umask(0)
os.umask(_UMASK)


@overload
def atomic_write(
    path: PathLike, mode: Literal["w", "x"] = "w", **open_kwargs: Any
) -> contextlib.AbstractContextManager[TextIO]: ...


@overload
def atomic_write(
    path: PathLike, mode: Literal["wb", "xb"], **open_kwargs: Any
) -> contextlib.AbstractContextManager[BinaryIO]: ...


@overload
def atomic_write(
    path: PathLike, mode: str, **open_kwargs: Any
) -> contextlib.AbstractContextManager[IO[Any]]: ...


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "w", **open_kwargs: Any) -> Iterator[Any]:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    ::

        with atomic_write("metrics.json") as f:
            json.dump(metrics, f)

    If the body raises (or the process dies), ``path`` keeps its old content and
    the temporary file is removed. ``mode`` is ``"w"`` (text) or ``"wb"`` (binary);
    ``open_kwargs`` go to :func:`open` (``encoding``, ``newline``). A symbolic link
    is followed; anything but a regular file is refused (:func:`writable_target`).
    """
    if mode not in ("w", "wb", "x", "xb"):
        raise ValueError(f"atomic_write opens files for writing only ('w' or 'wb'), got mode {mode!r}")
    target = writable_target(path)
    mode = mode.replace("x", "w")
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(target.parent)


def writable_target(path: PathLike) -> Path:
    """The file :func:`atomic_write` would replace for ``path``, or an ``OSError`` saying why not.

    A symbolic link is followed: the new file replaces the link's target and the link
    stays, so the output lands where the user pointed. Only a regular file (or a new
    one) is replaced: renaming over a FIFO, a device or a socket would silently swap it
    for a plain file, so those are refused, as are folders and missing folders.
    """
    path = Path(path)
    if not path.is_symlink():
        target, shown, folder = path, str(path), path.parent
    else:
        target = Path(os.path.realpath(path))
        shown, folder = f"{path} (a link to {target})", target.parent
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {shown}: it is a directory")
    if target.exists() and not target.is_file():
        raise OSError(f"cannot write {shown}: it is not a regular file")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {shown}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {shown}: the folder {folder} is not writable")
    return target


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (best effort; not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json(path: PathLike, data: Any) -> None:
    """``data`` as indented JSON, atomically (NumPy numbers become plain ones)."""
    with atomic_write(path, "w") as f:
        json.dump(plain(data), f, indent=2)
        f.write("\n")


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: NumPy numbers and arrays become numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def save_png(fig: Figure, path: PathLike) -> Path:
    """Save a matplotlib figure as PNG atomically and release it."""
    import matplotlib.pyplot as plt

    try:
        with atomic_write(path, "wb") as f:
            fig.savefig(f, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)
