"""Benchmark: communities of 250, 1,000 and 10,000 prosumers for one simulated day.

``population=community_1k`` (700 households, 200 heat-pump buildings, 50 batteries,
40 wind farms, 10 gas turbines), a quarter of it (250) and ``population=community_10k``
(ten times it, same shares); 15-minute units, κ = 32, CTBA-MMFE forecasts, RHPO
coordinators, ``output=minimal``, no baselines. Each size runs in its own process (for
its peak memory) and prints one JSON line: ``prosumers``, ``wall_s``, ``peak_mem_mb``
(``ru_maxrss``), ``events``, ``rhpo_solves``, ``rhpo_solves_per_arrival`` (all RHPO
solves, gate-closure re-dispatch included, per plant arrival) and the share of wall
time in each part of the code (``share_*``). A last line gives the per-prosumer cost
of each size relative to 1,000 (``per_prosumer_ratio_10000_vs_1000``, ...).

Shares come from a sampling profiler (:class:`ModuleSampler`): every 5 ms of CPU the
main thread's stack is read (profiling timer, ``SIGPROF``) and the sample counted for
the innermost frame in Rex's code (or HiGHS's): the LP (``control/``: building the
solvers, handing data to HiGHS, HiGHS's runs, the one-sided values), the agents, the
book (``market/book.py``), the rest of the exchange, the engine, the build (scenario,
plants, forecasts) and the records and analysis; time in NumPy, HiGHS or the
standard library counts for Rex's caller. Its overhead is about 1%, so one run gives
both the wall time and the shares. (Until 2026-12-03 a sampling thread took the
samples, and nearly all of them landed in HiGHS runs; see the class.)

The 10,000 size takes about 10 minutes of CPU (596 CPU-s, 600 s wall and 3.5 GB peak
for the day at 0fca457, nothing else running on the 2-core machine; 1.12x the
per-prosumer CPU of the 1,000 size, median of eleven 1,000 days run back to back beside
it, 53.3 CPU-s; the same simulation code at 7d3dc00, in a slower slot of the shared
machine: 714 CPU-s, 719 s wall beside 62.9, 1.14x, and 688 CPU-s, 694 s wall beside
59.4, 1.16x; at e43f4ce,
before the glue around the compiled LP calls moved into them, in the same session:
724 CPU-s and 731 s wall beside 63.7, 1.14x; at f3b2319: 792 CPU-s beside 69.3; at
edcbe83, before the book's O(1) shrink and the pivots' branch-free loops: 889 CPU-s
beside 72.5, 1.23x; at 5df7a9c, before the compiled pivots' sort and eta update were
tuned: 940 CPU-s beside 82.3, 1.14x; at 7e61f30, before the world was frozen out of the GC and the
coordinators stopped re-reading unchanged orders: 1,101 CPU-s, 1.23x; at d345ba1,
HiGHS every solve: 1,396 CPU-s, 1.17x) and sits behind
``REX_BENCH_10K=1``; without it the benchmark runs 250 and 1,000 (a few minutes). With
it, 1,000-size days run back to back on the other core for as long as the 10,000 size
runs (the two sizes meet the same load over the same stretch of the clock); the 1,000
line is the median of those days by CPU (``repeats``, ``cpu_s_range``) and each ratio
to it gets a ``_range`` against the slowest and the fastest of them.

Targets (issue 16, 2 cores): 1,000 in <= 60 s; 10,000 in <= 12 min and <= 8 GiB;
per-prosumer cost at 10,000 <= 1.2x that at 1,000. Asserted here: the per-prosumer
cost at 1,000 within 1.3x that at 250 and, with the flag, at 10,000 within 1.2x that
at 1,000 and under 8 GiB (wall-clock bars are quoted in the notes, not asserted: a
shared machine's absolute times vary by 2x).

Run: ``python tests/benchmarks/bench_sim.py`` (``--size N`` for one size) or
``pytest -n 0 -m benchmark -s tests/benchmarks/bench_sim.py``. ``--monitor N``
simulates one size without records and prints its clock, events, CPU time and memory
every 30 s: on a busy machine, CPU seconds per simulated minute of two sizes over the
same stretch of the clock compare them without waiting for the end.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

BASE = [
    "market.horizon_units=32",
    "output=minimal",
    "baselines.enabled=false",
]
POPULATION = {
    250: [
        "population=community_1k",
        "population.households.count=175",
        "population.heat_pumps.count=50",
        "population.batteries.count=12",
        "population.wind_farms.count=10",
        "population.gas_turbines.count=3",
    ],
    1000: ["population=community_1k"],
    10000: ["population=community_10k"],
}
FLAG_10K = "REX_BENCH_10K"


def _overrides(size: int) -> list[str]:
    return POPULATION[size] + BASE


# Part of the code by path fragment of the innermost Rex (or HiGHS) frame; first match.
GROUPS = (
    ("lp", ("rex_cli/control/", "highspy")),
    ("book", ("rex_cli/market/book",)),
    ("exchange", ("rex_cli/market/",)),
    ("engine", ("rex_cli/sim/",)),
    ("agents", ("rex_cli/agents/", "rex_cli/scenario/world")),
    ("build", ("rex_cli/stochastic/", "rex_cli/scenario/", "rex_cli/plants/")),
    ("recording", ("rex_cli/records/", "rex_cli/analysis/", "rex_cli/welfare/", "pipeline")),
)
_OWN = ("rex_cli/", "highspy")


def _group(filename: str) -> str:
    for name, keys in GROUPS:
        if any(k in filename for k in keys):
            return name
    return "other"


class ModuleSampler:
    """Samples the main thread's stack every ``interval`` s of CPU and counts its part.

    A sample counts for the innermost frame whose file lies in Rex (or HiGHS's
    Python wrapper); a stack without one (start-up, imports) counts as ``other``.

    The samples come from the profiling timer (``ITIMER_PROF``, CPU time of the
    process): its ``SIGPROF`` handler runs in the main thread at the next bytecode
    and is handed the frame there. During a call into C (a HiGHS run, a NumPy
    operation) the handler runs when the call returns, in the frame that made it, so
    the sample counts for the caller's part of the code, as it should.

    A sampling *thread* cannot do this: it needs the GIL to read the main thread's
    stack, and the main thread keeps the GIL until its switch interval (5 ms) ends or
    it releases it, which it does in every HiGHS run (highspy releases the GIL). So a
    sampling thread's samples land in the next HiGHS run: on a synthetic load with
    12% of the time in a GIL-releasing call, a thread sampled 99.6% there, and still
    20% with a 1 µs switch interval; this sampler sampled the true share.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self._cache: dict[str, str] = {}
        self._previous: Any = None

    def _classify(self, frame) -> str:  # type: ignore[no-untyped-def]
        cache = self._cache
        while frame is not None:
            fn = frame.f_code.co_filename
            part = cache.get(fn)
            if part is None:
                part = _group(fn) if any(k in fn for k in _OWN) else ""
                cache[fn] = part
            if part:
                return part
            frame = frame.f_back
        return "other"

    def _sample(self, signum: int, frame) -> None:  # type: ignore[no-untyped-def]
        self.counts[self._classify(frame)] += 1

    def __enter__(self) -> ModuleSampler:
        self._previous = signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)
        signal.signal(signal.SIGPROF, self._previous)

    def shares(self) -> dict[str, float]:
        total = sum(self.counts.values()) or 1
        names = [name for name, _ in GROUPS] + ["other"]
        return {f"share_{n}": round(self.counts[n] / total, 3) for n in names}


def run_once(size: int) -> dict[str, float]:
    """Simulate one size in this process; return its figures."""
    from rex_cli.config.load import load_config
    from rex_cli.pipeline import execute_run
    from rex_cli.records.tables import read_table

    cfg, raw = load_config(_overrides(size))
    with tempfile.TemporaryDirectory() as tmp, ModuleSampler() as sampler:
        t0 = time.perf_counter()
        res = execute_run(cfg, raw, Path(tmp), overrides=_overrides(size))
        wall = time.perf_counter() - t0
        timing = json.loads((Path(tmp) / "timing.json").read_text())
        info = read_table(Path(tmp), "agent_info")
    s = res.summary
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024.0
    plants = info["kind"].isin(["heat_pump_building", "battery", "gas_turbine"])
    arrivals = int(info.loc[plants, "arrivals"].sum())
    solves = int(info["rhpo_solves"].sum())
    per_arrival = s.get("rhpo_solves_per_arrival", solves / arrivals if arrivals else None)
    return {
        "prosumers": cfg.population.n_agents,
        "wall_s": round(wall, 2),
        # CPU time of the process (start-up included): on a shared machine the wall
        # time also counts waiting for a core, CPU time does not.
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mem_mb": round(peak_mb),
        "events": s["events_processed"],
        "events_per_s": round(s["events_processed"] / wall),
        "rhpo_solves": solves,
        "rhpo_solves_per_arrival": None if per_arrival is None else round(per_arrival, 3),
        "rhpo_solve_ms_median": timing["rhpo_solve_ms_median"],
        "per_prosumer_ms": round(1e3 * wall / cfg.population.n_agents, 2),
        "per_prosumer_cpu_ms": round(
            1e3 * (usage.ru_utime + usage.ru_stime) / cfg.population.n_agents, 2
        ),
        "trades": s["trades"],
        "status": res.status,
        **sampler.shares(),
    }


def simulate_monitored(size: int, every_s: float = 30.0) -> None:
    """Build and simulate one size (no records), printing progress as JSON lines.

    Every ``every_s`` seconds: the simulated clock (minutes; trading starts at −κε),
    events processed, the process's CPU time and resident memory. For a run too long
    to wait for on a busy machine: CPU seconds per simulated minute and per prosumer
    of two sizes over the same stretch of the clock compare their costs.
    """
    from rex_cli.config.load import load_config
    from rex_cli.scenario.build import build_world, seed_tree

    def cpu() -> float:
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    cfg, _raw = load_config(_overrides(size))
    t0 = time.perf_counter()
    world = build_world(cfg, seed_tree(cfg))
    eng = world.engine
    print(
        json.dumps(
            {
                "prosumers": cfg.population.n_agents,
                "built_wall_s": round(time.perf_counter() - t0, 1),
                "cpu_s": round(cpu(), 1),
                "rss_mb": round(rss_mb()),
            }
        ),
        flush=True,
    )
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(every_s):
            print(
                json.dumps(
                    {
                        "wall_s": round(time.perf_counter() - t0, 1),
                        "sim_min": round(eng.now, 1),
                        "events": eng.processed,
                        "cpu_s": round(cpu(), 1),
                        "rss_mb": round(rss_mb()),
                    }
                ),
                flush=True,
            )

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    world.run()
    stop.set()
    print(
        json.dumps(
            {
                "done": True,
                "wall_s": round(time.perf_counter() - t0, 1),
                "events": eng.processed,
                "cpu_s": round(cpu(), 1),
                "peak_mem_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        ),
        flush=True,
    )


def _child(size: int) -> subprocess.Popen[str]:
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_sim; "
        f"print(json.dumps(bench_sim.run_once({size})))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"benchmark child exited with {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def run_in_child(size: int) -> dict[str, Any]:
    """``run_once(size)`` in a fresh interpreter (its own peak memory)."""
    return _result(_child(size))


def beside_10k() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The 10,000 size, and 1,000-size days run back to back beside it until it ends.

    On a shared machine a day's CPU time varies by 1.3x from one slot to the next, so
    the two sizes are compared over the same stretch of the clock, each on a core:
    the 1,000-size days that ran wholly while the 10,000 size ran (all of them if
    none did).
    """
    big = _child(10000)
    t_start = time.monotonic()
    done: list[tuple[float, str]] = []  # (end time, output) of the 10,000 size

    def wait() -> None:
        out, _ = big.communicate()
        done.append((time.monotonic(), out))

    waiter = threading.Thread(target=wait)
    waiter.start()
    days: list[tuple[float, float, dict[str, Any]]] = []
    while not done:
        t0 = time.monotonic()
        line = run_in_child(1000)
        days.append((t0, time.monotonic(), line))
    waiter.join()
    t_end, out = done[0]
    if big.returncode:
        raise RuntimeError(f"benchmark child exited with {big.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    inside = [line for t0, t1, line in days if t0 >= t_start and t1 <= t_end]
    return result, inside or [line for _, _, line in days]


def sizes() -> tuple[int, ...]:
    return (250, 1000, 10000) if os.environ.get(FLAG_10K) == "1" else (250, 1000)


def measure() -> list[dict[str, Any]]:
    """One line per size, then the per-prosumer ratios to the 1,000 size.

    With the 10,000 size the 1,000 line is the median (by CPU) of the days run beside
    it, with ``repeats`` and the range of their CPU; the ratios to it get a
    ``_range`` (against the slowest and the fastest of those days).
    """
    if 10000 not in sizes():
        lines = [run_in_child(size) for size in sizes()]
        ones = [lines[1]]
    else:
        small = run_in_child(250)
        big, ones = beside_10k()
        ones.sort(key=lambda line: line["cpu_s"])
        mid = dict(ones[(len(ones) - 1) // 2])
        mid["repeats"] = len(ones)
        mid["cpu_s_range"] = [ones[0]["cpu_s"], ones[-1]["cpu_s"]]
        lines = [small, mid, big]
    ratios: dict[str, Any] = {}
    for key, name in (("per_prosumer_ms", "ratio"), ("per_prosumer_cpu_ms", "cpu_ratio")):
        per = {line["prosumers"]: line[key] for line in lines}
        spread = sorted(line[key] for line in ones)
        for n, v in per.items():
            if n != 1000:
                ratios[f"per_prosumer_{name}_{n}_vs_1000"] = round(v / per[1000], 3)
                if len(spread) > 1:
                    ratios[f"per_prosumer_{name}_{n}_vs_1000_range"] = [
                        round(v / spread[-1], 3),
                        round(v / spread[0], 3),
                    ]
    return [*lines, ratios]


def _mixed_load(seconds: float) -> tuple[float, ModuleSampler]:
    """Python in ``rex_cli/agents`` between GIL-releasing C calls from ``rex_cli/control``.

    Like an RHPO arrival's Python around a HiGHS run: 0.3-2 ms of Python, then a
    SHA-256 of 0.1-0.4 MB (hashlib releases the GIL). Returns the C calls' true share
    of the time and the sampler.
    """
    import hashlib
    import random

    ns: dict[str, Any] = {"perf": time.perf_counter, "sha": hashlib.sha256}
    exec(compile("def py(d):\n    t = perf()\n    while perf() - t < d: pass\n",
                 "rex_cli/agents/load.py", "exec"), ns)  # fmt: skip
    exec(compile("def c(buf):\n    sha(buf).digest()\n", "rex_cli/control/load.py", "exec"), ns)
    py, c = ns["py"], ns["c"]
    bufs = [bytes(n) for n in (100_000, 200_000, 400_000)]
    rng = random.Random(1)
    t_py = t_c = 0.0
    with ModuleSampler() as sampler:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            py(rng.uniform(0.0003, 0.002))
            t1 = time.perf_counter()
            c(rng.choice(bufs))
            t_py += t1 - t0
            t_c += time.perf_counter() - t1
    return t_c / (t_py + t_c), sampler


@pytest.mark.benchmark
def test_sampler_counts_a_gil_releasing_call_at_its_share():
    """The shares are the code's: a thread-based sampler put 99.6% of a 12% share here."""
    true_share, sampler = _mixed_load(6.0)
    n = sum(sampler.counts.values())
    sampled = sampler.counts["lp"] / n
    print(json.dumps({"true_share": round(true_share, 3), "sampled": round(sampled, 3), "n": n}))
    assert n > 500
    assert abs(sampled - true_share) < 0.05


@pytest.mark.benchmark
def test_community_day():
    lines = measure()
    for line in lines:
        print(json.dumps(line))
    ratios = lines[-1]
    assert all(line["status"] == "complete" for line in lines[:-1])
    assert 1.0 / ratios["per_prosumer_ratio_250_vs_1000"] <= 1.3
    if "per_prosumer_ratio_10000_vs_1000" in ratios:
        assert ratios["per_prosumer_ratio_10000_vs_1000"] <= 1.2
        assert lines[2]["peak_mem_mb"] <= 8192
    # The earlier bars of the 1,000 size (issue 16's is 60 s; see the notes).
    assert lines[1]["wall_s"] <= 180
    assert lines[1]["peak_mem_mb"] <= 4096


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--monitor":
        simulate_monitored(int(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--size":
        print(json.dumps(run_once(int(sys.argv[2]))))
    else:
        for line in measure():
            print(json.dumps(line))
