"""Typed access to JSON a stranger wrote: every check names the field it failed on.

The vocabulary of :mod:`glassnet._metacheck`: ``obj(value, where, required,
optional)`` is a JSON object with exactly those keys, ``integer(value, where,
lo, hi)`` a bounded integer (never a bool), ``real``, ``text`` (one of a table
of names, with the valid ones listed when it is not), ``boolean``,
``sequence`` (of a given length). Each returns the value or raises
``ValueError("network.layer_sizes[1] must be between 1 and 1,048,576, got -6")``.
:class:`Claims` makes sure every array of a file is used by exactly one field,
and :class:`Plan` collects the checks that must wait until the arrays are read.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

import numpy as np
from numpy.typing import DTypeLike

from .._npzcheck import short

MAX_COUNT = 2**62  # epochs, steps, iterations
MAX_DEPTH = 32  # nesting of the JSON
MAX_NAME = 200  # characters of a name or version string

Header: TypeAlias = tuple[np.dtype[Any], tuple[int, ...]]
"""An array's dtype and shape, from its ``.npy`` header."""


def kind_of(value: object) -> str:
    """What a JSON value is, in words, for a message: "a string", "a list", "null", ..."""
    for t, name in (
        (bool, "true/false"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "an object"),
        (type(None), "null"),
    ):
        if isinstance(value, t):
            return name
    return type(value).__name__


def fail(where: str, problem: str) -> NoReturn:
    raise ValueError(f"{where} {problem}")


def obj(
    value: object,
    where: str,
    required: Collection[str] = (),
    optional: Collection[str] = (),
    any_keys: bool = False,
) -> dict[str, Any]:
    """``value`` if it is a JSON object with every ``required`` key and no key outside the lists."""
    if not isinstance(value, dict):
        fail(where, f"must be a JSON object, got {kind_of(value)}")
    for key in required:
        if key not in value:
            fail(where, f"lacks the entry {short(key)}")
    if not any_keys:
        for key in value:
            if key not in required and key not in optional:
                fail(where, f"has the unknown entry {short(key)}")
    return value


def integer(value: object, where: str, lo: int = 0, hi: int = MAX_COUNT) -> int:
    """An integer in ``[lo, hi]`` (JSON ``true`` is not 1 here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        fail(where, f"must be an integer, got {kind_of(value)}")
    if not lo <= value <= hi:
        fail(where, f"must be between {lo:,} and {hi:,}, got {short(value)}")
    return value


def numbers(values: Any, where: str, finite: bool = True, none: bool = False) -> list[Any]:
    """A list of numbers (NaN and ±inf only with ``finite=False``, nulls only with ``none=True``).

    The common case, a long list of plain numbers, is checked in one pass; only a list
    with something else in it is looked at entry by entry, to name the entry.
    """
    sequence(values, where)
    allowed = (int, float, type(None)) if none else (int, float)
    if all(type(v) in allowed for v in values) and (not finite or all(map(math.isfinite, values))):
        return values
    for i, v in enumerate(values):
        real(v, f"{where}[{i}]", finite=finite, none=none)
    return values


def real(
    value: object,
    where: str,
    lo: float = -np.inf,
    hi: float = np.inf,
    finite: bool = True,
    none: bool = False,
) -> float | None:
    """A number in ``[lo, hi]``; NaN and ±inf only with ``finite=False``, null only with ``none=True``."""
    if value is None and none:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(where, f"must be a number, got {kind_of(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        if finite:
            fail(where, f"must be finite, got {value}")
        return value
    if not lo <= value <= hi:
        fail(where, f"must be between {lo} and {hi}, got {short(value)}")
    return value


def text(
    value: object,
    where: str,
    choices: Collection[str] | None = None,
    what: str = "name",
    limit: int = MAX_NAME,
) -> str:
    """A string; with ``choices``, one of them (an unknown name is refused with the valid ones listed)."""
    if not isinstance(value, str):
        fail(where, f"must be a string, got {kind_of(value)}")
    if choices is not None and value not in choices:
        valid = ", ".join(choices)
        valid = valid if len(valid) <= 90 else valid[:85] + " …"
        raise ValueError(f"{where}: unknown {what} {short(value)}; valid {what}s are: {valid}")
    if len(value) > limit:
        fail(where, f"is longer than {limit} characters")
    return value


def boolean(value: object, where: str) -> bool:
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        fail(where, f"must be true or false, got {kind_of(value)}")
    return value


def sequence(
    value: object, where: str, length: int | None = None, lo: int = 0, hi: int | None = None
) -> list[Any]:
    """A list of exactly ``length`` entries, or of ``lo`` to ``hi``."""
    if not isinstance(value, list):
        fail(where, f"must be a list, got {kind_of(value)}")
    if length is not None and len(value) != length:
        fail(where, f"must have {length:,} entries, got {len(value):,}")
    if len(value) < lo or (hi is not None and len(value) > hi):
        fail(where, f"must have between {lo:,} and {hi:,} entries, got {len(value):,}")
    return value


def check_depth(value: object) -> None:
    """Refuse JSON nested deeper than ``MAX_DEPTH`` (no recursion here, so none can overflow)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"the metadata nests deeper than {MAX_DEPTH} levels")
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values() if isinstance(x, (dict, list)))
        elif isinstance(v, list):  # only containers can nest deeper (a history holds long lists of numbers)
            stack.extend((x, depth + 1) for x in v if isinstance(x, (dict, list)))


@dataclass
class Plan:
    """The checks that need the arrays' numbers, gathered while the metadata is checked.

    ``finite``: ``(array, problem)`` pairs that must hold finite numbers only;
    ``json``: ``(array, values)`` that must equal lists in the JSON; ``labels``:
    class arrays that must be sorted and unique; ``same``: pairs of equal arrays;
    ``positive``: arrays that must be > 0.
    """

    finite: list[tuple[str, str]] = field(default_factory=list)
    json: list[tuple[str, list[Any]]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    same: list[tuple[str, str]] = field(default_factory=list)
    positive: list[str] = field(default_factory=list)


_KINDS = {"f": "floating-point numbers", "U": "strings", "biufUS": "numbers or strings"}


class Claims:
    """The arrays of a file, each claimed by exactly one field of the metadata."""

    def __init__(self, headers: Mapping[str, Header]) -> None:
        self.headers = headers
        self.claimed: set[str] = set()

    def claim(
        self,
        name: str,
        where: str,
        dtype: DTypeLike | None = None,
        shape: Sequence[int] | None = None,
        kinds: str | None = None,
    ) -> Header:
        """The ``(dtype, shape)`` of array ``name``, after checking it against what ``where`` expects."""
        if name not in self.headers:
            fail(where, f"names the array {short(name)}, which the file does not hold")
        if name in self.claimed:
            fail(where, f"uses the array {short(name)} a second time")
        self.claimed.add(name)
        a_dtype, a_shape = self.headers[name]
        if dtype is not None and a_dtype != dtype:
            fail(where, f"needs {short(name)} of dtype {np.dtype(dtype)}, the file holds {a_dtype}")
        if shape is not None and tuple(a_shape) != tuple(shape):
            fail(
                where, f"needs {short(name)} of shape {short(tuple(shape))}, the file holds {short(a_shape)}"
            )
        if kinds is not None and a_dtype.kind not in kinds:
            fail(where, f"needs {short(name)} of {_KINDS.get(kinds, kinds)}, the file holds dtype {a_dtype}")
        return a_dtype, tuple(a_shape)

    def check_all_claimed(self) -> None:
        """Refuse a file holding an array no field of its metadata names."""
        extra = sorted(set(self.headers) - self.claimed)
        if extra:
            raise ValueError(f"the file holds the array {short(extra[0])}, which its metadata does not use")
