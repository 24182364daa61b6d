"""Turning parsed column lists into Arrow tables, typed as the database tables expect.

The arrays are assembled from numpy buffers (``pa.Array.from_buffers``) rather than with
``pa.array``, which imports pandas on its first call whenever pandas is installed: the ingest
and its parsing workers never need pandas, and loading it costs half a second per process.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyarrow as pa

__all__ = ["coded", "repeated", "repeated_each", "to_arrow"]


def to_arrow(columns: dict[str, list | pa.Array], kinds: dict[str, str] | None = None
             ) -> pa.Table:
    """An Arrow table of ``columns``; ``kinds`` gives str/int/float/bool (default str).

    Float columns take ints, floats and None; NaN and None become NULL, infinities stay. Int
    columns are 32-bit; None is NULL in every kind. A column already built as an Arrow array
    is taken as it is.
    """
    kinds = kinds or {}
    return pa.table({name: values if isinstance(values, pa.Array)
                     else _BUILDERS[kinds.get(name, "str")](values)
                     for name, values in columns.items()})


def repeated(text: str, n: int) -> pa.DictionaryArray:
    """``text`` ``n`` times, dictionary-encoded (one string, ``n`` zero indices)."""
    return repeated_each([text], [n])


def repeated_each(texts: list[str], counts: list[int]) -> pa.DictionaryArray:
    """Each of ``texts`` its count of times in a row, dictionary-encoded."""
    indices = np.repeat(np.arange(len(texts), dtype=np.int32), counts)
    return pa.DictionaryArray.from_arrays(_array(pa.int32(), indices), _strings(texts))


def coded(values: list) -> pa.DictionaryArray:
    """A string column (None is NULL), dictionary-encoded: each distinct value is encoded once,
    which is far cheaper than encoding every row when values repeat."""
    codes = dict.fromkeys(values)
    nulls = codes.pop(None, 0) is None
    distinct = list(codes) or [""]
    codes.update(zip(distinct, range(len(distinct)), strict=True))
    if nulls:
        codes[None] = 0
    indices = np.fromiter(map(codes.__getitem__, values), dtype=np.int32, count=len(values))
    valid = _validity(values) if nulls else None
    return pa.DictionaryArray.from_arrays(
        pa.Array.from_buffers(pa.int32(), len(values), [valid, pa.py_buffer(indices)]),
        _strings(distinct))


def _strings(values: list) -> pa.Array:
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(values)),
              out=offsets[1:])
    kind, width = (pa.string(), np.int32) if offsets[-1] < 2**31 else (pa.large_string(),
                                                                        np.int64)
    return pa.Array.from_buffers(kind, len(values), [
        _validity(values), pa.py_buffer(offsets.astype(width)), pa.py_buffer(b"".join(encoded))])


def _ints(values: list) -> pa.Array:
    data = np.fromiter((0 if v is None else v for v in values), dtype=np.int32,
                       count=len(values))
    return _array(pa.int32(), data, _validity(values))


def _bools(values: list) -> pa.Array:
    data = np.fromiter((bool(v) for v in values), dtype=bool, count=len(values))
    return pa.Array.from_buffers(pa.bool_(), len(values), [
        _validity(values), pa.py_buffer(np.packbits(data, bitorder="little"))])


def _floats(values: list) -> pa.Array:
    try:
        data = np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond the range of a double
        data = np.array([_clip(v) for v in values], dtype=np.float64)
    nan = np.isnan(data)
    return _array(pa.float64(), data, _bitmap(~nan) if nan.any() else None)


def _array(kind: pa.DataType, data: np.ndarray, validity: pa.Buffer | None = None
           ) -> pa.Array:
    return pa.Array.from_buffers(kind, len(data), [validity, pa.py_buffer(data)])


def _validity(values: list) -> pa.Buffer | None:
    """Arrow's validity bitmap of ``values`` (None where every value is set)."""
    if None not in values:
        return None
    return _bitmap(np.fromiter((v is not None for v in values), dtype=bool, count=len(values)))


def _bitmap(valid: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def _clip(value: object) -> object:
    if type(value) is int and abs(value) > 2**1000:
        return math.inf if value > 0 else -math.inf
    return value


_BUILDERS: dict[str, Callable[[list], pa.Array]] = {
    "str": _strings, "int": _ints, "float": _floats, "bool": _bools}
