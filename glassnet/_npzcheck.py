"""Opening ``.npz`` and ``.npy`` files a stranger may have written: sizes checked first.

``np.load`` trusts a file. Each array's ``.npy`` header names a dtype and a shape,
and NumPy allocates ``prod(shape) · itemsize`` bytes *before* it reads the data,
so a 2 kB file whose header claims ``(10**9,)`` costs gigabytes; a compressed
zip member can also inflate a thousandfold. Here nothing is allocated until

1. the zip directory checks out: at most ``MAX_MEMBERS`` members, each an
   unencrypted ``.npy`` stored or deflated, lying inside the file, and
   declaring an inflated size that deflate can produce from its compressed
   size (at most ``MAX_DEFLATE_RATIO`` : 1) -- all without inflating anything;
2. each member's ``.npy`` header (a hundred-odd bytes) names numbers or
   fixed-width strings (never Python objects), at most ``MAX_ENTRIES`` entries
   per array and ``MAX_BYTES`` bytes for all arrays together, and a size that
   matches what the zip directory declares: ``file_size = header + entries · itemsize``.

Then an array is read into exactly the memory its checked header describes.
Both :mod:`glassnet.data` (users' data) and :mod:`glassnet.persistence`
(models) open files through :func:`open_npz` / :func:`load_npy`; every failure is
a ``ValueError`` whose message names the file.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Self

import numpy as np

from ._typing import NDArray, PathLike

MAX_ENTRIES = 2**28  # entries in one array (2 GiB of float64)
MAX_BYTES = 2**31  # all arrays of one file together: 2 GiB
MAX_MEMBERS = 4096  # arrays in one .npz
MAX_DEFLATE_RATIO = 1032  # deflate's best case: 258 bytes from about 2 bits
MAX_NDIM = 32
_CHUNK = 1 << 20  # bytes read at a time
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
_DAMAGE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    zlib.error,
    struct.error,
    KeyError,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
    OverflowError,
)


def short(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters: error messages never echo a huge value."""
    return clip(repr(value), limit)


def clip(text: object, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters (for the messages of exceptions we pass on)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 5] + "…" + text[-4:]


@dataclass(frozen=True)
class ArrayHeader:
    """What a checked ``.npy`` header says: the array's dtype and shape, and where its data start."""

    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    fortran_order: bool
    offset: int  # bytes of magic + header before the data

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _read_header(f: IO[bytes], where: str) -> ArrayHeader:
    """The :class:`ArrayHeader` at the start of an open ``.npy`` stream, checked against the limits."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran_order, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran_order, dtype = fmt.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
        offset = f.tell()
    except (ValueError, TypeError, SyntaxError, KeyError, IndexError, RecursionError) as exc:
        raise ValueError(
            f"{where} is corrupted or truncated (unreadable .npy header: {clip(exc, 80)})"
        ) from None
    if dtype.hasobject:
        raise ValueError(
            f"{where} holds Python objects (dtype object); glassnet never unpickles, "
            "so it will not load this file; save plain numeric arrays"
        )
    if dtype.kind not in "biufcSU" or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(
            f"{where} has an array of dtype {clip(dtype, 40)}; glassnet reads only "
            "numbers and fixed-width strings"
        )
    if len(shape) > MAX_NDIM or any(n < 0 for n in shape):
        raise ValueError(f"{where} is corrupted (impossible array shape {short(shape)})")
    header = ArrayHeader(dtype, tuple(int(n) for n in shape), bool(fortran_order), int(offset))
    entries = math.prod(header.shape)
    if entries > MAX_ENTRIES or header.nbytes > MAX_BYTES:
        raise ValueError(
            f"{where} claims an array of shape {short(header.shape)} ({entries:,} entries "
            f"of {dtype.itemsize} bytes); glassnet reads at most {MAX_ENTRIES:,} entries "
            f"and {MAX_BYTES // 2**30} GiB per file"
        )
    return header


def _read_data(f: IO[bytes], header: ArrayHeader, where: str) -> NDArray[Any]:
    """The array data following ``header`` in ``f``, read in chunks into one allocation."""
    array = np.empty(math.prod(header.shape), dtype=header.dtype)
    if header.nbytes:
        flat, pos = array.view(np.uint8), 0
        while pos < header.nbytes:
            chunk = f.read(min(_CHUNK, header.nbytes - pos))
            if not chunk:
                raise ValueError(
                    f"{where} is corrupted or truncated (the data end after {pos} of {header.nbytes} bytes)"
                )
            flat[pos : pos + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            pos += len(chunk)
    if f.read(1):
        raise ValueError(f"{where} is corrupted (more data than its header describes)")
    return array.reshape(header.shape, order="F" if header.fortran_order else "C")


def _check_member(info: zipfile.ZipInfo, file_size: int, where: str) -> None:
    """The zip directory's word on one member, checked before a byte of it is inflated."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"{where} is not a NumPy array (.npz members end in .npy)")
    if info.flag_bits & 0x1:
        raise ValueError(f"{where} is encrypted; glassnet reads plain .npz files")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(
            f"{where} uses zip compression method {info.compress_type}; "
            "glassnet reads stored or deflated members (numpy.savez, savez_compressed)"
        )
    if info.header_offset + info.compress_size > file_size:
        raise ValueError(f"{where} is corrupted or truncated (its data would end past the end of the file)")
    if info.compress_type == zipfile.ZIP_STORED:
        most = info.compress_size
    else:
        most = MAX_DEFLATE_RATIO * info.compress_size + 1024
    if info.file_size > most:
        raise ValueError(
            f"{where} is corrupted or a zip bomb: {info.compress_size:,} bytes cannot hold "
            f"the {info.file_size:,} bytes it claims"
        )
    if info.file_size > MAX_BYTES + 2**16:
        raise ValueError(
            f"{where} claims {info.file_size:,} bytes; glassnet reads at most "
            f"{MAX_BYTES // 2**30} GiB per file"
        )


class NpzArchive:
    """An open ``.npz`` file whose every array header has been checked; data read on demand.

    ``headers`` maps each array's name to its :class:`ArrayHeader`; :meth:`read`
    reads one array. Use as a context manager (see :func:`open_npz`).
    """

    def __init__(
        self,
        path: Path,
        zf: zipfile.ZipFile,
        members: dict[str, zipfile.ZipInfo],
        headers: dict[str, ArrayHeader],
    ) -> None:
        self.path, self._zf, self._members, self.headers = path, zf, members, headers

    def read(self, name: str) -> NDArray[Any]:
        """The array ``name``, read with no more memory than its checked header describes."""
        where = f"{self.path} (array {short(name, 40)})"
        try:
            with self._zf.open(self._members[name]) as f:
                header = _read_header(f, where)
                if header != self.headers[name]:
                    raise ValueError(f"{where} changed while it was being read")
                return _read_data(f, header, where)
        except _DAMAGE as exc:
            raise ValueError(
                f"{self.path} is corrupted or truncated ({type(exc).__name__}: {clip(exc, 80)})"
            ) from None

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_npz(path: PathLike) -> NpzArchive:
    """Open the ``.npz`` file ``path`` and check every member's size and header (not its data).

    Returns
    -------
    NpzArchive
        Its ``headers`` give each array's dtype and shape; ``read(name)`` reads one.

    Raises
    ------
    ValueError
        If the file is not a zip archive, is damaged, holds objects, or claims
        sizes beyond the limits of this module; the message names the file.
    """
    path = Path(path)
    with open(path, "rb") as f:
        if f.read(4) not in _ZIP_MAGICS:
            raise ValueError(f"{path} is not an .npz archive")
    try:
        zf = zipfile.ZipFile(path)
    except _DAMAGE as exc:
        raise ValueError(
            f"{path} is corrupted or truncated ({type(exc).__name__}: {clip(exc, 80)})"
        ) from None
    try:
        return NpzArchive(path, zf, *_scan(path, zf))
    except BaseException:
        zf.close()
        raise


def _scan(path: Path, zf: zipfile.ZipFile) -> tuple[dict[str, zipfile.ZipInfo], dict[str, ArrayHeader]]:
    """``(members, headers)``: each array's zip entry and checked header, by array name."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ValueError(f"{path} holds {len(infos):,} members; glassnet reads at most {MAX_MEMBERS:,}")
    file_size = path.stat().st_size
    members: dict[str, zipfile.ZipInfo] = {}
    headers: dict[str, ArrayHeader] = {}
    total = 0
    for info in infos:
        name = info.filename.removesuffix(".npy")
        where = f"{path} (member {short(info.filename, 40)})"
        if name in members:
            raise ValueError(f"{where} appears twice in the archive")
        _check_member(info, file_size, where)
        try:
            with zf.open(info) as f:
                header = _read_header(f, where)
        except _DAMAGE as exc:
            raise ValueError(
                f"{path} is corrupted or truncated ({type(exc).__name__}: {clip(exc, 80)})"
            ) from None
        if info.file_size != header.offset + header.nbytes:
            raise ValueError(
                f"{where} is corrupted or truncated: its header describes "
                f"{header.offset + header.nbytes:,} bytes, the archive holds {info.file_size:,}"
            )
        total += header.nbytes
        if total > MAX_BYTES:
            raise ValueError(
                f"{path} holds more than {MAX_BYTES // 2**30} GiB of arrays; "
                "glassnet reads at most that much from one file"
            )
        members[name], headers[name] = info, header
    return members, headers


def load_npy(path: PathLike) -> NDArray[Any]:
    """The array in the ``.npy`` file ``path``, its header checked before anything is allocated."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        header = _read_header(f, str(path))
        if size != header.offset + header.nbytes:
            raise ValueError(
                f"{path} is corrupted or truncated: its header describes "
                f"{header.offset + header.nbytes:,} bytes, the file holds {size:,}"
            )
        return _read_data(f, header, str(path))
