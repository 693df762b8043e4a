"""Shared fixtures: one way to get a finished tiny run into a test.

``tiny_run(*overrides)`` runs ``debug=tiny output.figures=false`` plus the overrides
in-process (``load_config`` + ``execute_run``) and returns a ``Run``: its folder, the
typed config, ``summary.json`` and its record tables, read on demand. Runs are cached
for the whole session by their overrides, so tests that need the same scenario share
one simulation; pass ``fresh=True`` for a run of its own (e.g. to compare two runs of
the same seed).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rex_cli.config.load import load_config
from rex_cli.config.schema import RexConfig
from rex_cli.pipeline import execute_run

TINY = ("debug=tiny", "output.figures=false")


@dataclass
class Run:
    """A finished run: its folder, config, summary and (lazily read) record tables."""

    dir: Path
    cfg: RexConfig
    overrides: tuple[str, ...]
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.dir / "summary.json").read_text())

    def table(self, name: str) -> pd.DataFrame:
        """``records/<name>.parquet`` (a copy: tests may modify it)."""
        if name not in self._tables:
            self._tables[name] = pd.read_parquet(self.dir / "records" / f"{name}.parquet")
        return self._tables[name].copy()


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Callable[..., Run]:
    cache: dict[tuple[str, ...], Run] = {}

    def make(*overrides: str, fresh: bool = False) -> Run:
        ov = (*TINY, *overrides)
        if not fresh and ov in cache:
            return cache[ov]
        cfg, raw = load_config(list(ov))
        out = tmp_path_factory.mktemp("tiny_run")
        execute_run(cfg, raw, out, overrides=list(ov))
        run = Run(out, cfg, ov)
        if not fresh:
            cache[ov] = run
        return run

    return make
