"""Benchmark: the community of about a thousand prosumers for one simulated day.

``population=community_1k`` (700 households, 200 heat-pump buildings, 50 batteries,
40 wind farms, 10 gas turbines), 15-minute units, κ = 32, CTBA-MMFE forecasts, RHPO
coordinators. Each size runs in its own process (for its peak memory); prints one JSON
line per size (wall time, events, events/s, RHPO solves and median ms, peak memory)
and one with the share of wall time in the engine, the book and exchange, the LP,
the agents' logic, recording and analysis (from a cProfile of the smaller size).

Bars (2 cores): 1,000 prosumers in <= 180 s and <= 4 GiB; per-prosumer time at 1,000
within 1.3x of that at 250.

Run: ``python tests/benchmarks/bench_sim.py`` (both sizes and the profile) or
``pytest -n 0 -m benchmark -s tests/benchmarks/bench_sim.py``.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

BASE = [
    "population=community_1k",
    "market.horizon_units=32",
    "output=minimal",
    "baselines.enabled=false",
]
QUARTER = [
    "population.households.count=175",
    "population.heat_pumps.count=50",
    "population.batteries.count=12",
    "population.wind_farms.count=10",
    "population.gas_turbines.count=3",
]


def _overrides(size: int) -> list[str]:
    return BASE + (QUARTER if size == 250 else [])


def run_once(size: int) -> dict[str, float]:
    """Simulate one size in this process; return its figures."""
    from rex_cli.config.load import load_config
    from rex_cli.pipeline import execute_run

    cfg, raw = load_config(_overrides(size))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = execute_run(cfg, raw, Path(tmp), overrides=_overrides(size))
        wall = time.perf_counter() - t0
        timing = json.loads((Path(tmp) / "timing.json").read_text())
    s = res.summary
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {
        "prosumers": cfg.population.n_agents,
        "wall_s": round(wall, 2),
        "events": s["events_processed"],
        "events_per_s": round(s["events_processed"] / wall),
        "rhpo_solves": s["rhpo_solves"],
        "rhpo_solve_ms_median": timing["rhpo_solve_ms_median"],
        "peak_mem_mb": round(peak_mb),
        "per_prosumer_ms": round(1e3 * wall / cfg.population.n_agents, 2),
        "trades": s["trades"],
    }


GROUPS = (
    ("engine", ("rex_cli/sim/engine",)),
    ("book", ("rex_cli/market/",)),
    ("lp", ("rex_cli/control/", "highspy")),
    ("agents", ("rex_cli/agents/", "rex_cli/scenario/world")),
    ("forecasts_and_build", ("rex_cli/stochastic/", "rex_cli/scenario/build", "rex_cli/plants/")),
    (
        "recording_and_analysis",
        ("rex_cli/records/", "rex_cli/analysis/", "rex_cli/pipeline", "pandas", "pyarrow"),
    ),
)


def shares_of(stats: pstats.Stats) -> dict[str, float]:
    """Share of total own time per part of the code (built-ins count by their name:
    ``highspy._core.run`` is LP time)."""
    total = 0.0
    parts = {name: 0.0 for name, _ in GROUPS}
    for (filename, _line, func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        where = f"{filename} {func}"
        for name, keys in GROUPS:
            if any(k in where for k in keys):
                parts[name] += tottime
                break
    other = total - sum(parts.values())
    out = {f"share_{k}": round(v / total, 3) for k, v in parts.items()}
    out["share_other"] = round(other / total, 3)
    return out


def profile_shares(size: int) -> dict[str, float]:
    """Profile one run of ``size`` prosumers and return its shares."""
    prof = cProfile.Profile()
    prof.enable()
    run_once(size)
    prof.disable()
    return shares_of(pstats.Stats(prof))


def measure() -> list[dict[str, float]]:
    lines = []
    for size in (250, 1000):
        here = str(Path(__file__).parent)
        code = (
            f"import json, sys; sys.path.insert(0, {here!r}); import bench_sim; "
            f"print(json.dumps(bench_sim.run_once({size})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        lines.append(json.loads(out.stdout.strip().splitlines()[-1]))
    small, big = lines
    ratio = big["per_prosumer_ms"] / small["per_prosumer_ms"]
    shares = {"profile_of": small["prosumers"], **profile_shares(250)}
    return [small, big, {"per_prosumer_ratio_1000_vs_250": round(ratio, 3)}, shares]


@pytest.mark.benchmark
def test_community_day():
    lines = measure()
    for line in lines:
        print(json.dumps(line))
    big = lines[1]
    assert big["wall_s"] <= 180
    assert big["peak_mem_mb"] <= 4096
    assert lines[2]["per_prosumer_ratio_1000_vs_250"] <= 1.3


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--size":
        print(json.dumps(run_once(int(sys.argv[2]))))
    else:
        for line in measure():
            print(json.dumps(line))
