"""The glassnet file: a NumPy ``.npz`` archive of arrays plus checked JSON metadata.

A glassnet file holds the numbers as plain arrays and one more array,
``__glassnet__``, the UTF-8 bytes of a JSON document (stored as ``uint8``) that
describes everything else, with a SHA-256 checksum over the metadata and every
array's dtype, shape and bytes. Reading checks, in order: the zip directory and
each ``.npy`` header (:mod:`glassnet._npzcheck`), the metadata against its schema
and the headers (:mod:`glassnet.io._metacheck`), then the arrays, the checksum and
the numbers -- all before anything the file names is built.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np

from .. import _npzcheck
from .._npzcheck import clip, short
from .._typing import NDArray, PathLike
from . import _metacheck
from .files import atomic_write

FORMAT_VERSION = 1
_META_KEY = "__glassnet__"
_ZIP_MAGIC = b"PK\x03\x04"

Arrays: TypeAlias = dict[str, NDArray[Any]]
"""A glassnet file's arrays, by name."""
Meta: TypeAlias = dict[str, Any]
"""A glassnet file's JSON metadata, or a part of it."""
Kind: TypeAlias = Literal["model", "checkpoint"]


def _checksum(meta: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> str:
    """SHA-256 over the metadata (without its checksum) and each array's name, dtype, shape, bytes."""
    h = hashlib.sha256()
    body = {k: v for k, v in meta.items() if k != "checksum"}
    h.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"\0{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


_MAX_META_BYTES = 64 * 2**20  # the JSON metadata: history, info and config included


def _write_container(path: PathLike, kind: Kind, arrays: Arrays, meta: Meta) -> Path:
    """Write ``arrays`` and ``meta`` as a glassnet file, after the checks :func:`load` will make."""
    from .. import __version__

    for name, a in arrays.items():
        if name == _META_KEY or not isinstance(a, np.ndarray) or a.dtype.kind not in "biufcUS":
            raise ValueError(f"cannot save array {name!r}: only numeric and string arrays can be saved")
    meta = {
        "format": "glassnet",
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "glassnet_version": __version__,
        **meta,
        "arrays": {name: {"dtype": a.dtype.str, "shape": list(a.shape)} for name, a in arrays.items()},
    }
    meta["checksum"] = {"algorithm": "sha256", "value": _checksum(meta, arrays)}
    try:
        text = json.dumps(meta, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot save: the metadata is not JSON-serializable ({exc})") from None
    if len(text) > _MAX_META_BYTES:
        raise ValueError(
            f"cannot save {path}: its metadata (history, info, config) takes {len(text):,} "
            f"bytes; glassnet files hold at most {_MAX_META_BYTES:,}"
        )
    try:
        plan = _metacheck.check_metadata(meta, {k: (a.dtype, a.shape) for k, a in arrays.items()})
    except ValueError as exc:
        raise ValueError(f"cannot save {path}: {exc}") from None
    try:
        _metacheck.check_values(plan, arrays)
    except ValueError as exc:
        raise ValueError(f"{exc}; refusing to save {path}") from None
    payload: dict[str, Any] = {**arrays, _META_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}
    with atomic_write(path, "wb") as f:
        np.savez(f, **payload)
    return Path(path)


def _read_container(path: PathLike) -> tuple[Meta, Arrays]:
    """``(meta, arrays)`` of a glassnet file, after every check; never unpickles, never over-allocates.

    In order: the zip directory and each ``.npy`` header (sizes, dtypes), the
    metadata (read, parsed, checked against the headers), then the arrays,
    the checksum, and the numbers (finite weights, labels as listed).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a glassnet model file")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != _ZIP_MAGIC:
        what = "it is empty" if not head else "it is not an .npz archive"
        raise ValueError(f"{path} is not a glassnet model file ({what})")
    with _npzcheck.open_npz(path) as npz:
        if _META_KEY not in npz.headers:
            raise ValueError(
                f"{path} is not a glassnet model file (an .npz archive without glassnet metadata)"
            )
        meta = _read_metadata_json(path, npz)
        headers = {name: (h.dtype, h.shape) for name, h in npz.headers.items() if name != _META_KEY}
        try:
            plan = _metacheck.check_metadata(meta, headers)
        except ValueError as exc:
            raise ValueError(f"{path} has invalid {meta['kind']} metadata: {exc}") from None
        arrays = {name: npz.read(name) for name in headers}
    if meta["checksum"]["value"] != _checksum(meta, arrays):
        raise ValueError(f"{path} is corrupted or truncated: checksum mismatch")
    try:
        _metacheck.check_values(plan, arrays)
    except ValueError as exc:
        raise ValueError(f"{path} cannot be loaded: {exc}") from None
    return meta, arrays


def _read_metadata_json(path: Path, npz: _npzcheck.NpzArchive) -> Meta:
    """The parsed JSON of the ``__glassnet__`` member: a bounded byte array, a glassnet format we read."""
    header = npz.headers[_META_KEY]
    corrupted = f"{path} is corrupted or truncated"
    if header.dtype != np.uint8 or len(header.shape) != 1:
        raise ValueError(f"{corrupted} (its metadata is not a byte array)")
    if header.nbytes > _MAX_META_BYTES:
        raise ValueError(
            f"{path} has {header.nbytes:,} bytes of metadata; glassnet reads at most {_MAX_META_BYTES:,}"
        )
    try:
        meta = json.loads(npz.read(_META_KEY).tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, too deeply nested
        raise ValueError(f"{corrupted} (unreadable metadata: {clip(exc, 80)})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{corrupted} (its metadata is not a JSON object)")
    if meta.get("format") != "glassnet":
        raise ValueError(f"{path} is not a glassnet model file (unknown format {short(meta.get('format'))})")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{corrupted} (unknown file format version {short(version)})")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} uses glassnet file format {version!r}, newer than this glassnet "
            f"understands ({FORMAT_VERSION}); upgrade glassnet to read it"
        )
    kind, model = meta.get("kind"), meta.get("model")
    if kind not in ("model", "checkpoint"):
        raise ValueError(f"{path} is not a glassnet model file (kind {short(kind)})")
    if model not in (("network",) if kind == "checkpoint" else ("network", "estimator")):
        raise ValueError(f"{path} has invalid {kind} metadata: unknown model {short(model)}")
    return meta


def read_metadata(path: PathLike) -> dict[str, Any]:
    """The verified JSON metadata of a glassnet file, as a dict (for ``glassnet info``)."""
    return _read_container(path)[0]


_PLAIN_SCALARS = (float, int, str, bool, type(None))


def _plain(value: Any, what: str) -> Any:
    """``value`` as plain JSON data (numpy scalars and arrays become numbers and lists)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return [_plain(v, what) for v in value.tolist()]
        return value.tolist()
    if isinstance(value, (list, tuple)):
        if all(type(v) in _PLAIN_SCALARS for v in value):  # a history's long lists of floats
            return list(value)
        return [_plain(v, what) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, what) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot save {what}: {type(value).__name__} values cannot be stored as JSON")


def _typed_list(a: NDArray[Any]) -> Meta:
    """A 1-D array as JSON that remembers its dtype: ``{"dtype": "<U3", "values": [...]}``."""
    return {"dtype": a.dtype.str, "values": a.tolist()}


@contextlib.contextmanager
def _building(path: PathLike, kind: str) -> Iterator[None]:
    """Objects are built from checked metadata; their constructors' own range checks
    (a sigmoid's positive steepness, Adam's betas in [0, 1)) fail as one-line ValueErrors."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path} has invalid {kind} metadata: {clip(exc, 200)}") from None
