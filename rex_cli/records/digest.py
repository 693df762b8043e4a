"""Digests of a run's canonical tables: the fingerprint that ``rex verify`` compares.

A table's digest is the SHA-256 of its column names, dtypes and values (numbers as
their little-endian bytes, text as UTF-8), independent of the parquet writer's
metadata, so two runs with the same config and seed give the same digest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from rex_cli.records import tables as T
from rex_cli.records.rundir import write_text

__all__ = ["CANONICAL", "read_digest", "run_digests", "table_digest", "write_digest"]

# Tables produced by the simulation (derived tables follow from these).
CANONICAL = ("trades", "order_events", "quotes", "gate", "settlement", "plants", "depth")


def table_digest(df: pd.DataFrame) -> str:
    """SHA-256 (hex) of a table's columns, dtypes and values, row order included."""
    h = hashlib.sha256()
    h.update(f"{len(df)}\n".encode())
    for name in df.columns:
        col = df[name]
        h.update(f"{name}:{col.dtype}\n".encode())
        values = col.to_numpy()
        if values.dtype.kind in "biuf":
            h.update(np.ascontiguousarray(values).astype(values.dtype.newbyteorder("<")).tobytes())
        else:  # text, categories, objects
            h.update("\x1f".join(map(str, col.tolist())).encode("utf-8"))
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
