"""Digests of a run's canonical tables: the fingerprint that ``rex verify`` compares.

A table's digest is the SHA-256 of an explicit canonical encoding of its *logical*
content, so the same table gives the same digest whatever library versions wrote or
read it (pandas 2.x or 3.x, any pyarrow, numpy 1.x or 2.x):

- the encoding version, the number of rows and of columns;
- per column, its name (UTF-8, length-prefixed) and a logical type tag, ``int``,
  ``float``, ``bool``, ``text``, ``datetime`` or ``timedelta``;
- per column, a null mask (one byte per row, ``1`` = null) when the column has nulls,
  else a single ``0`` byte;
- the values: integers of any width or signedness (``int8`` … ``uint64``, nullable
  ``Int64``) as signed 64-bit little-endian; floats (``float32``, ``float64``,
  nullable ``Float64``) as IEEE float64 little-endian with every NaN as one bit
  pattern; booleans as one byte 0/1; text (``object``, pandas 3's ``str``,
  ``string[python]``, ``string[pyarrow]``) as every value's UTF-8 length (uint64
  LE), then the UTF-8 bytes of every value; datetimes and timedeltas as int64
  nanoseconds. Null slots encode as zero (or the empty string) under the mask.
- categoricals are digested by their values (as if decoded), never by their codes.

What is *not* part of the digest: a column's storage dtype or backend, the parquet
writer's metadata and the index. Row order and column order are.

Why the first version broke: it hashed ``str(col.dtype)``, and pandas 3 reads a
text column back as ``str`` where pandas 2 said ``object``, so ``order_events``
(whose ``reason`` column is text) hashed differently with unchanged values.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import numpy as np
import pandas as pd

from rex_cli.records import tables as T
from rex_cli.records.rundir import write_text

__all__ = [
    "CANONICAL",
    "DIGEST_VERSION",
    "column_kind",
    "read_digest",
    "run_digests",
    "table_digest",
    "write_digest",
]

# Tables produced by the simulation (derived tables follow from these).
CANONICAL = (
    "trades",
    "order_events",
    "quotes",
    "gate",
    "settlement",
    "plants",
    "depth",
    "clients",
)

DIGEST_VERSION = "rex-digest-2"

_CANONICAL_NAN = np.frombuffer(struct.pack("<d", float("nan")), dtype="<f8")[0]


def column_kind(col: pd.Series) -> str:
    """The logical type of a column: int, float, bool, text, datetime or timedelta.

    Raises:
        TypeError: A column whose values have no canonical encoding (e.g. mixed
            objects); the message names the column.
    """
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return column_kind(pd.Series(dtype.categories, name=col.name))
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_string_dtype(dtype):
        values = col.dropna()
        if all(isinstance(v, str) for v in values):
            return "text"
    if dtype == object:  # noqa: E721 - object columns of one Python type
        items = col.dropna().tolist()
        if all(isinstance(v, str) for v in items):
            return "text"
        if all(isinstance(v, bool | np.bool_) for v in items):
            return "bool"
        if all(isinstance(v, int | np.integer) for v in items):
            return "int"
        if all(isinstance(v, float | np.floating | int | np.integer) for v in items):
            return "float"
    raise TypeError(f"column {col.name!r}: no canonical encoding for dtype {dtype}")


def _decoded(col: pd.Series) -> pd.Series:
    """A categorical column as its values; other columns unchanged."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        if col.isna().any():
            return col.astype(object)
        return col.astype(col.dtype.categories.dtype)
    return col


def _encode(col: pd.Series, kind: str) -> bytes:
    """The canonical bytes of one column: null mask, then values (see the module doc)."""
    col = _decoded(col)
    null = col.isna().to_numpy(dtype=bool)
    parts = [null.astype(np.uint8).tobytes() if null.any() else b"\x00"]
    if kind == "text":
        texts = zip(col.tolist(), null, strict=True)
        data = [b"" if missing else str(v).encode("utf-8") for v, missing in texts]
        parts.append(np.fromiter(map(len, data), dtype="<u8", count=len(data)).tobytes())
        parts.extend(data)
        return b"".join(parts)
    if kind == "bool":
        values = col.to_numpy(dtype=np.uint8, na_value=0)
    elif kind == "int":
        if col.dtype == np.uint64 and (col.to_numpy() > np.iinfo(np.int64).max).any():
            raise TypeError(f"column {col.name!r}: uint64 value beyond the int64 range")
        values = col.to_numpy(dtype="<i8", na_value=0)
    elif kind == "float":
        values = col.to_numpy(dtype="<f8", na_value=np.nan)
        values = np.where(np.isnan(values), _CANONICAL_NAN, values).astype("<f8")
    else:  # datetime, timedelta: nanoseconds since the epoch / as a duration
        if kind == "datetime" and getattr(col.dtype, "tz", None) is not None:
            col = col.dt.tz_convert("UTC").dt.tz_localize(None)
        unit = np.dtype("datetime64[ns]" if kind == "datetime" else "timedelta64[ns]")
        values = col.astype(unit).to_numpy().view("<i8").copy()
        values[null] = 0
    parts.append(np.ascontiguousarray(values).tobytes())
    return b"".join(parts)


def table_digest(df: pd.DataFrame) -> str:
    """SHA-256 (hex) of a table's logical content: column names, kinds, values, row order.

    Independent of the storage dtypes and of the library versions (see the module doc).
    """
    h = hashlib.sha256()
    h.update(f"{DIGEST_VERSION}\n{len(df)}\n{df.shape[1]}\n".encode())
    for name in df.columns:
        col = df[name]
        kind = column_kind(col)
        label = str(name).encode("utf-8")
        h.update(struct.pack("<Q", len(label)) + label + f":{kind}\n".encode())
        h.update(_encode(col, kind))
    return h.hexdigest()


def run_digests(run_dir: Path) -> dict[str, str]:
    """Digest of every canonical table present in ``run_dir/records``."""
    out = {}
    for name in CANONICAL:
        if (Path(run_dir) / "records" / f"{name}.parquet").is_file():
            out[name] = table_digest(T.read_table(run_dir, name))
    return out


def write_digest(run_dir: Path) -> dict[str, str]:
    """Write ``digest.txt`` (``<sha256>  <table>`` per line, then ``<sha256>  run``)."""
    digests = run_digests(run_dir)
    total = hashlib.sha256("".join(f"{k}{v}" for k, v in digests.items()).encode()).hexdigest()
    lines = [f"{v}  {k}" for k, v in digests.items()] + [f"{total}  run"]
    write_text(Path(run_dir) / "digest.txt", "\n".join(lines) + "\n")
    return {**digests, "run": total}


def read_digest(run_dir: Path) -> dict[str, str]:
    """Read ``digest.txt`` of a run folder into ``{table: sha256}``."""
    path = Path(run_dir) / "digest.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no digest (was the run complete?)")
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name] = digest
    return out
