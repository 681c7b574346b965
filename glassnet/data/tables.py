"""Tables in files: CSV (target column by name or position, header detection) and NPZ.

Files are read as data, never as code, and with bounds: a CSV file must be UTF-8
text within ``MAX_CSV_BYTES`` and ``MAX_CSV_CELLS``; an ``.npz`` archive is
checked member by member before any array is allocated (:mod:`glassnet._npzcheck`).
"""

from __future__ import annotations

import codecs
import collections
import csv
import numbers
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._npzcheck import clip, load_npy, open_npz, short
from .._typing import ArrayLike, FloatArray, NDArray, PathLike

# --------------------------------------------------------------------------- files


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


MAX_CSV_BYTES = 256 * 2**20  # load_csv reads files up to 256 MiB ...
MAX_CSV_CELLS = 10_000_000  # ... and 10 million fields: larger data belong in .npz files


def _read_rows(path: Path, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """``(rows, lines)``: the non-blank rows of a CSV file, fields stripped, and their line numbers.

    The file must be UTF-8 (an Excel byte-order mark is dropped) and within
    ``MAX_CSV_BYTES`` and ``MAX_CSV_CELLS``; a field may hold up to the csv
    module's limit of 131,072 characters.
    """
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise ValueError(
            f"CSV file {path} is {size / 2**20:,.0f} MiB; load_csv reads files up to "
            f"{MAX_CSV_BYTES // 2**20} MiB (save larger data as .npz)"
        )
    rows: list[list[str]] = []
    lines: list[int] = []
    cells = 0
    with open(path, newline="", encoding="utf-8-sig") as f:  # -sig drops an Excel byte-order mark
        reader = csv.reader(f, delimiter=delimiter)
        try:
            for row in reader:
                if not any(field.strip() for field in row):
                    continue  # blank line
                cells += len(row)
                if cells > MAX_CSV_CELLS:
                    raise ValueError(
                        f"CSV file {path} has more than {MAX_CSV_CELLS:,} fields; load_csv "
                        "reads up to that many (save larger data as .npz)"
                    )
                rows.append([field.strip() for field in row])
                lines.append(reader.line_num)
        except UnicodeDecodeError:
            position, byte = _first_bad_byte(path)
            raise ValueError(
                f"{path} is not UTF-8 text (byte 0x{byte:02x} at position {position:,}); save it as UTF-8"
            ) from None
        except csv.Error as exc:
            problem = (
                f"a field is longer than {csv.field_size_limit():,} characters"
                if "field limit" in str(exc)
                else f"not valid CSV ({clip(exc, 80)})"
            )
            raise ValueError(f"{path}, line {reader.line_num}: {problem}") from None
    return rows, lines


def _first_bad_byte(path: Path) -> tuple[int, int]:
    """``(position, byte)`` of the first byte of ``path`` that is not UTF-8, reading 1 MiB at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            pending = len(decoder.getstate()[0])  # bytes of a character begun in the last chunk
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start, exc.object[exc.start]
            if not chunk:
                return offset, 0  # pragma: no cover - only called after a decoding error
            offset += len(chunk)


def _check_unique_names(names: Sequence[str], path: Path) -> None:
    """Two columns of one name would make a column by name ambiguous (and silently the first)."""
    repeated = [name for name, count in collections.Counter(names).items() if count > 1]
    if repeated:
        shown = ", ".join(short(name, 40) for name in repeated[:5]) + (" …" if len(repeated) > 5 else "")
        raise ValueError(
            f"CSV file {path} has duplicate column names: {shown}; give each column its own name"
        )


def _listing(names: Sequence[str], limit: int = 10) -> str:
    """Names for an error message: the first ``limit``, then how many more."""
    shown = ", ".join(short(n, 40) if len(n) > 40 else n for n in names[:limit])
    return shown + (f" … ({len(names) - limit} more)" if len(names) > limit else "")


def _header_and_rows(
    rows: list[list[str]], lines: list[int], header: bool | Literal["auto"], path: Path
) -> tuple[list[str], list[list[str]], list[int], bool]:
    """``(names, rows, lines, named)``: the column names (from the header row, or ``x0, x1, …``),
    the data rows, all of one width, and whether the file named its columns. ``header="auto"``:
    the first row is a header if one of its fields is not a number while the row below has a number there."""
    if header == "auto":
        first = rows[0]
        second = rows[1] if len(rows) > 1 else [""] * len(first)
        header = all(not _is_number(v) for v in first) or any(
            not _is_number(v) and j < len(second) and _is_number(second[j]) for j, v in enumerate(first)
        )
    n_columns = len(rows[0])
    for row, line in zip(rows, lines, strict=True):
        if len(row) != n_columns:
            raise ValueError(
                f"{path}, line {line}: expected {n_columns} fields like the first row, got {len(row)}"
            )
    if not header:
        return [f"x{j}" for j in range(n_columns)], rows, lines, False
    if len(rows) == 1:
        raise ValueError(f"CSV file {path} has a header but no data rows")
    _check_unique_names(rows[0], path)
    return rows[0], rows[1:], lines[1:], True


def _target_index(target: str | int, names: list[str], named: bool, path: Path) -> int:
    """The position of the target column, named (``named``: the file has a header) or by position."""
    n_columns = len(names)
    if isinstance(target, str):
        if not named:
            raise ValueError(
                f"target {target!r} is a column name, but {path} has no header row "
                "(give the column's position instead, or header=True)"
            )
        if target not in names:
            raise ValueError(
                f"target column {short(target)} not found in {path}; columns are: {_listing(names)}"
            )
        return names.index(target)
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not -n_columns <= target < n_columns:
            raise ValueError(f"target index {target} is out of range for {n_columns} columns")
        return target % n_columns
    raise ValueError(f"target must be a column name or position, got {short(target)}")


def _numbers_of(
    rows: list[list[str]], lines: list[int], columns: Sequence[int], names: Sequence[str], path: Path
) -> FloatArray:
    """The float matrix of ``columns`` of the text ``rows``; a non-number names its line and column."""
    X = np.empty((len(rows), len(columns)))
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        for k, j in enumerate(columns):
            try:
                X[i, k] = float(row[j])
            except ValueError:
                what = "is empty" if row[j] == "" else f"has the non-numeric value {short(row[j], 40)}"
                raise ValueError(
                    f"{path}, line {line}: feature column {short(names[j], 40)} {what}; "
                    "feature columns must be numbers"
                ) from None
    return X


def load_csv(
    path: PathLike, target: str | int, header: bool | Literal["auto"] = "auto", delimiter: str = ","
) -> tuple[FloatArray, NDArray[Any], list[str]]:
    """Read a CSV file of numeric features and one target column.

    Parameters
    ----------
    path : str or Path
    target : str or int
        The target column, by header name or by position (negative counts from the end).
    header : 'auto', True or False
        Whether the first row holds column names. ``'auto'``: it does if one of
        its fields is not a number while the row below has a number there (so a
        headerless file with string labels is still read as data).
    delimiter : str

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,)
        float64 if every target value is a number, otherwise strings.
    feature_names : list of str
        From the header, or ``'x0', 'x1', ...`` (by column position) without one.

    Raises
    ------
    ValueError
        Naming the file (and line): a file that is not UTF-8 text, a field over
        the csv module's 131,072 characters, duplicate column names, ragged
        rows, non-numeric features; and a file over ``MAX_CSV_BYTES`` (256 MiB)
        or ``MAX_CSV_CELLS`` (10 million fields), the bounds that keep a CSV's
        rows, held as Python strings, to about a gigabyte at most.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"CSV file not found: {path}")
    if header not in ("auto", True, False):
        raise ValueError(f"header must be 'auto', True or False, got {header!r}")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, got {short(delimiter)}")
    rows, lines = _read_rows(path, delimiter)
    if not rows:
        raise ValueError(f"CSV file {path} is empty")

    names, rows, lines, named = _header_and_rows(rows, lines, header, path)
    n_columns = len(names)
    if n_columns < 2:
        raise ValueError(f"CSV file {path} has only {n_columns} column: need features and a target")
    t = _target_index(target, names, named, path)
    feature_columns = [j for j in range(n_columns) if j != t]
    X = _numbers_of(rows, lines, feature_columns, names, path)
    targets = [row[t] for row in rows]
    for value, line in zip(targets, lines, strict=True):
        if value == "":
            raise ValueError(f"{path}, line {line}: the target column {short(names[t], 40)} is empty")
    if all(_is_number(v) for v in targets):
        y = np.array([float(v) for v in targets])
    else:
        y = np.array(targets)
    return X, y, [names[j] for j in feature_columns]


def load_npz(
    path: PathLike, x_key: str = "X", y_key: str | None = "y"
) -> tuple[NDArray[Any], NDArray[Any] | None]:
    """Load arrays saved with ``numpy.savez`` (``.npz``) or ``numpy.save`` (``.npy``).

    Parameters
    ----------
    path : str or Path
    x_key, y_key : str
        Names of the arrays inside a ``.npz`` file; ``y_key=None`` loads X only.

    Returns
    -------
    X : ndarray
    y : ndarray or None
        ``None`` for a ``.npy`` file (which holds a single array) or ``y_key=None``.

    Raises
    ------
    ValueError
        Naming the file: a damaged or truncated file, Python objects (never
        unpickled), and arrays larger than the file holds or than the limits of
        :mod:`glassnet._npzcheck` (2**28 entries per array, 2 GiB per file),
        all refused before anything is allocated.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    if path.suffix not in (".npz", ".npy"):
        raise ValueError(f"expected a .npz or .npy file, got {path.name!r}")
    # Headers and sizes are checked before any array is allocated, and nothing is
    # unpickled: a data file can neither run code nor claim gigabytes (glassnet._npzcheck).
    if path.suffix == ".npy":
        return load_npy(path), None
    with open_npz(path) as data:
        keys = list(data.headers)
        for key in (x_key, y_key):
            if key is not None and key not in keys:
                raise ValueError(f"{path} has no array named {short(key)}; it holds: {_listing(keys)}")
        return data.read(x_key), None if y_key is None else data.read(y_key)


def save_csv(
    path: PathLike,
    X: ArrayLike,
    y: ArrayLike | None = None,
    feature_names: Iterable[str] | None = None,
    target_name: str = "target",
) -> Path:
    """Write ``X`` (and ``y`` as the last column) to a CSV file with a header row.

    The file is written to a temporary file beside ``path`` and then renamed,
    so a crash never leaves a half-written CSV behind. :func:`load_csv` reads it
    back: ``load_csv(path, target=target_name)``.

    Parameters
    ----------
    path : str or Path
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), optional
    feature_names : list of str, optional
        Default ``'x0', 'x1', ...``.
    target_name : str
        Header of the ``y`` column.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if feature_names is None:
        feature_names = [f"x{j}" for j in range(X.shape[1])]
    feature_names = [str(name) for name in feature_names]
    if len(feature_names) != X.shape[1]:
        raise ValueError(f"X has {X.shape[1]} columns but {len(feature_names)} feature_names were given")
    names = list(feature_names)
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be 1-D with one label per row of X ({len(X)}), got shape {y.shape}")
        if target_name in feature_names:
            raise ValueError(f"target_name {target_name!r} is also a feature name")
        names.append(str(target_name))
    rows = X.tolist() if y is None else [r + [v] for r, v in zip(X.tolist(), y.tolist(), strict=True)]

    from ..io.files import atomic_write  # imported here: io reads data's Standardizer

    with atomic_write(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows(rows)  # Python writes floats with repr(): they read back exactly
    return path


def read_feature_rows(
    path: PathLike, n_inputs: int, feature_names: Iterable[str] = (), target: str | None = None
) -> tuple[list[list[str]], list[str], FloatArray]:
    """``(rows, header, X)`` of a CSV file to predict: its rows as text, its header (or
    ``x0, x1, …``), and the ``(n_rows, n_inputs)`` feature matrix a model needs.

    The model's columns are found by its ``feature_names`` when the header has them
    all, else by leaving out its ``target`` column, else by position. The file is
    read as :func:`load_csv` reads it (UTF-8, bounded, every column named once).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    rows, lines = _read_rows(path, ",")
    if not rows:
        raise ValueError(f"CSV file {path} is empty")
    # A prediction file's first row is a header as soon as one field is not a number.
    header, rows, lines, named = _header_and_rows(rows, lines, any(not _is_number(v) for v in rows[0]), path)
    width = len(header)
    names = list(feature_names)
    if named and names and all(name in header for name in names):
        columns = [header.index(name) for name in names]
    elif named and target in header and width - 1 == n_inputs:
        columns = [j for j in range(width) if header[j] != target]
    elif width == n_inputs:
        columns = list(range(width))
    else:
        expected = f" ({_listing(names)})" if names else ""
        raise ValueError(f"{path} has {width} columns, but the model expects {n_inputs} features{expected}")
    return rows, header, _numbers_of(rows, lines, columns, header, path)
