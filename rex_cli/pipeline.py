"""One run, end to end: build, simulate, record, analyse, draw; and report from tables.

``execute_run`` is what ``rex run`` (and each sweep job) calls. ``analyse_run`` turns
the saved record tables of a run folder into the derived tables, the summary and the
figures; ``rex report`` calls it on a finished folder without re-simulating.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from rex_cli.agents.home import HomeCoordinator
from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.analysis.clients import client_accounts, client_residuals, procurement_shares
from rex_cli.analysis.prices import imbalance_vs_forecast_error, term_structure, unit_stats
from rex_cli.analysis.replications import replication_table
from rex_cli.analysis.settlement import agent_stats, summary
from rex_cli.config.load import validate
from rex_cli.config.schema import RexConfig
from rex_cli.records import tables as T
from rex_cli.records.digest import write_digest
from rex_cli.records.rundir import (
    git_revision,
    lock_status,
    mark_stopped,
    package_versions,
    process_tag,
    write_json,
    write_text,
)
from rex_cli.scenario.build import build_world, seed_tree
from rex_cli.scenario.world import World
from rex_cli.stochastic.forecast import nmae_by_lead_time
from rex_cli.welfare.clients import client_energy_kwh
from rex_cli.welfare.evaluate import welfare_summary

__all__ = [
    "RunResult",
    "analyse_run",
    "execute_replications",
    "execute_run",
    "load_run_config",
]

Progress = Callable[[int, int], None]

# Summary entries only the live run can know (a re-analysis keeps them as they were).
# Timing keys are only found in summaries written before timing moved to timing.json.
RUNTIME_KEYS = ("events_processed", "wall_time_s", "rhpo_solve_ms_median", "rhpo_solve_ms_p95")
# What ``timing.json`` holds: wall-clock figures, which differ between identical runs
# and are therefore kept out of ``summary.json`` (and out of ``rex verify``); the
# baselines' own times (``rex_wall_s``, ``no_market_wall_s``, ``planner_wall_s``,
# ``same_info_wall_s``) come with them.
TIMING_KEYS = ("wall_time_s", "simulation_s", "rhpo_solve_ms_median", "rhpo_solve_ms_p95")


@dataclass(frozen=True)
class RunResult:
    """What a finished run returns: ``status`` is ``complete`` or ``failed`` (with a reason)."""

    run_dir: Path
    summary: dict[str, Any]
    wall_time_s: float
    status: str = "complete"
    reason: str | None = None


def _record_tables(world: World, cfg: RexConfig) -> dict[str, pd.DataFrame]:
    m = cfg.market
    ex = world.exchange
    out: dict[str, pd.DataFrame] = {
        "trades": T.trades_table(
            ex.trades, tick=m.tick, lot_kwh=m.lot_kwh, unit_minutes=m.unit_minutes
        ),
        "quotes": T.quotes_table(ex.quotes),
        "gate": T.gate_table(ex.gate),
        "auctions": T.auctions_table(ex.auctions, tick=m.tick, lot_kwh=m.lot_kwh),
        "settlement": T.settlement_table(world.settlement, lot_kwh=m.lot_kwh),
        "unit_prices": pd.DataFrame(world.unit_prices),
    }
    depth = pd.DataFrame(world.depth)
    depth["bid_kwh"] = depth["bid_lots"] * m.lot_kwh
    depth["ask_kwh"] = depth["ask_lots"] * m.lot_kwh
    out["depth"] = depth
    if cfg.output.record_orders:
        out["order_events"] = T.order_events_table(ex.order_events)
    plants = [c for c in world.coordinators if isinstance(c, PlantCoordinator)]
    traj: dict[str, list] = {k: [] for k in T.PLANT_COLUMNS}
    for c in plants:
        for k in traj:
            traj[k].extend(c.trajectory[k])
    out["plants"] = T.plants_table(
        traj, world.exchange, lot_kwh=m.lot_kwh, unit_minutes=m.unit_minutes
    )
    homes = [c for c in plants if isinstance(c, HomeCoordinator)]
    if homes:
        cl: dict[str, list] = {k: [] for k in T.CLIENT_COLUMNS}
        N = world.n_units
        for c in homes:
            U = c.plant.full_inputs(
                np.vstack([c.committed[j] for j in range(N)]), c.data.exogenous[:N]
            )
            energy = client_energy_kwh(c.home, U, c.base_load_kwh, c.pv_kwh, "pv" in c.clients)
            for label, row in zip(c.clients, energy, strict=True):
                cl["agent"].extend([c.agent_id] * N)
                cl["client"].extend([label] * N)
                cl["target_unit"].extend(range(N))
                cl["energy_kwh"].extend(row.tolist())
        out["clients"] = T.clients_table(cl, unit_minutes=m.unit_minutes)
    paths = world.forecasts
    if paths is not None:
        fc = paths.to_frame()
        keep = _subsample(fc, cfg.forecast.record_every)
        fc = fc[keep].reset_index(drop=True)
        real = world.realised_lots
        out["forecasts"] = pd.DataFrame(
            {
                "agent": fc["client"].to_numpy(),
                "target_unit": fc["target_unit"].to_numpy(),
                "time_min": fc["time_min"].to_numpy(),
                "lead_time_min": fc["lead_time_min"].to_numpy(),
                "forecast_kwh": fc["forecast_lots"].to_numpy() * m.lot_kwh,
                "realised_kwh": real[fc["client"].to_numpy(), fc["target_unit"].to_numpy()]
                * m.lot_kwh,
                "initial": fc["is_initial"].to_numpy(),
            }
        )
        n_unc = paths.n_clients
        out["realisations"] = pd.DataFrame(
            {
                "agent": np.repeat(np.arange(n_unc), world.n_units),
                "target_unit": np.tile(np.arange(world.n_units), n_unc),
                "realised_kwh": real[:n_unc].reshape(-1) * m.lot_kwh,
            }
        )
        out["nmae"] = _nmae_table(world, cfg)
    if world.wind_speed_ms is not None and len(world.wind_speed_ms):
        sp = np.asarray(world.wind_speed_ms)
        out["wind"] = pd.DataFrame(
            {
                "farm": np.repeat(np.arange(sp.shape[0]), sp.shape[1]),
                "target_unit": np.tile(np.arange(sp.shape[1]), sp.shape[0]),
                "speed_ms": sp.reshape(-1),
            }
        )
    out["agent_info"] = pd.DataFrame(
        {
            "agent": [a.agent_id for a in world.agents],
            "kind": [a.kind.value for a in world.agents],
            "index_in_kind": [a.index_in_kind for a in world.agents],
            "capacity_kw": [a.capacity_kw for a in world.agents],
            "marginal_cost": [a.marginal_cost for a in world.agents],
            # The exchange's own cash ledger, kept trade by trade (currency).
            "ledger_cash": [ex.cash[a.agent_id] * m.tick * m.lot_kwh for a in world.agents],
            "arrivals": [c.arrivals for c in world.coordinators],
            "rejections": [c.rejections for c in world.coordinators],
            "rhpo_solves": [getattr(c, "solves", 0) for c in world.coordinators],
            "rhpo_arrival_solves": [getattr(c, "arrival_solves", 0) for c in world.coordinators],
            "rhpo_failed": [getattr(c, "failed", 0) for c in world.coordinators],
        }
    )
    return out


def _subsample(fc: pd.DataFrame, every: int) -> np.ndarray:
    """Rows to keep: every ``every``-th adjustment of each path, plus its first and last."""
    if every <= 1:
        return np.ones(len(fc), dtype=bool)
    key = fc["client"].to_numpy() * 10**7 + fc["target_unit"].to_numpy()
    order = np.lexsort((fc["time_min"].to_numpy(), key))
    k = key[order]
    first = np.r_[True, k[1:] != k[:-1]]
    last = np.r_[k[1:] != k[:-1], True]
    start = np.maximum.accumulate(np.where(first, np.arange(len(k)), 0))
    pos = np.arange(len(k)) - start
    keep_sorted = first | last | (pos % every == 0)
    keep = np.empty(len(k), dtype=bool)
    keep[order] = keep_sorted
    return keep


LEAD_BUCKETS_MIN = (0.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1440.0)


def _nmae_table(world: World, cfg: RexConfig) -> pd.DataFrame:
    """NMAE of the forecasts by lead-time bucket, per client type.

    Normalisers: a wind farm's capacity per unit; a household's mean consumption.
    """
    paths = world.forecasts
    n_unc = paths.n_clients
    real = world.realised_lots[:n_unc]
    kinds = np.array([a.kind.value for a in world.agents[:n_unc]])
    horizon = paths.window_min  # κε, or the day-ahead reach of the forecasts
    edges = [b for b in LEAD_BUCKETS_MIN if b < horizon] + [horizon]
    cap = (
        cfg.population.wind_farms.capacity_kw * cfg.market.unit_minutes / 60.0 / cfg.market.lot_kwh
    )
    norm = np.where(kinds == "wind_farm", cap, np.maximum(np.abs(real).mean(axis=1), 1.0))
    per = nmae_by_lead_time(paths, real, norm, edges, by_client=True)
    per["kind"] = kinds[per["client"].to_numpy()]
    w = per["coverage_min"]
    per["w_nmae"] = per["nmae"].fillna(0.0) * w
    g = per.groupby(["kind", "lead_from_min", "lead_to_min"], sort=True)
    out = (g["w_nmae"].sum() / g["coverage_min"].sum()).rename("nmae").reset_index()
    return out


def _f_or_none(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _welfare(world: World, cfg: RexConfig, run_dir: Path) -> dict[str, float]:
    """Score the simulated world and its baselines; write ``welfare*.parquet``.

    Returns:
        Wall time per scenario, s (run-time figures for the summary).
    """
    from rex_cli.welfare import BaselineOptions, WelfareCosts, evaluate_world

    w, b = cfg.welfare, cfg.baselines
    backup = cfg.imbalance.backup_cost
    costs = WelfareCosts(
        backup_cost=backup,
        comfort_cost=w.comfort_cost,
        value_of_lost_load=max(w.value_of_lost_load, backup),
        backup_capacity_kw=math.inf if w.backup_capacity_kw is None else w.backup_capacity_kw,
        stored_energy_price=w.stored_energy_price,
    )
    options = BaselineOptions(
        enabled=b.enabled,
        same_info=b.same_info,
        lead_minutes=b.same_info_lead_minutes,
        tariff=w.tariff,
        efficiency_min_share=b.efficiency_min_share,
    )
    ev = evaluate_world(world, costs, baselines=options, first_unit=cfg.analysis.warmup_units)
    T.write_table(ev.table, run_dir / "records" / "welfare.parquet")
    T.write_table(ev.agents, run_dir / "records" / "welfare_agents.parquet")
    if ev.clients is not None:
        T.write_table(ev.clients, run_dir / "records" / "welfare_clients.parquet")
    return {f"{k}_wall_s": round(v, 3) for k, v in ev.seconds.items()}


def load_run_config(run_dir: Path) -> RexConfig:
    """Validate the ``config.yaml`` saved in a run folder."""
    raw = OmegaConf.load(Path(run_dir) / "config.yaml")
    assert isinstance(raw, DictConfig)
    return validate(raw)


def analyse_run(run_dir: Path, cfg: RexConfig, *, figures: bool | None = None) -> dict[str, Any]:
    """Derive ``units`` and ``agents`` tables, ``summary.json`` and figures from records.

    Reads only the saved tables of ``run_dir``; never re-simulates.

    Returns:
        The summary (also written to ``summary.json``, merged over run-time figures such
        as wall time that a re-analysis cannot know).
    """
    run_dir = Path(run_dir)
    optional = {
        name: T.read_table(run_dir, name)
        for name in (
            "forecasts",
            "nmae",
            "wind",
            "realisations",
            "welfare",
            "welfare_agents",
            "clients",
            "welfare_clients",
        )
        if (run_dir / "records" / f"{name}.parquet").is_file()
    }
    rec = {
        name: T.read_table(run_dir, name)
        for name in (
            "trades",
            "quotes",
            "gate",
            "settlement",
            "unit_prices",
            "depth",
            "agent_info",
            "plants",
        )
    }
    m = cfg.market
    units = unit_stats(
        rec["trades"], rec["quotes"], rec["gate"], rec["unit_prices"], rec["settlement"],
        tick=m.tick, lot_kwh=m.lot_kwh,
    )  # fmt: skip
    agents = agent_stats(
        rec["agent_info"], rec["trades"], rec["settlement"], optional.get("welfare_agents")
    )
    ts = term_structure(rec["trades"], unit_minutes=m.unit_minutes)
    T.write_table(units, run_dir / "records" / "units.parquet")
    T.write_table(agents, run_dir / "records" / "agents.parquet")
    T.write_table(ts, run_dir / "records" / "term_structure.parquet")
    summ = summary(
        units, agents, rec["trades"], rec["settlement"], warmup_units=cfg.analysis.warmup_units
    )
    old_path = run_dir / "summary.json"
    runtime: dict[str, Any] = {}
    if old_path.is_file():
        prev = json.loads(old_path.read_text(encoding="utf-8"))
        runtime = {k: prev[k] for k in RUNTIME_KEYS if k in prev}
    if "welfare" in optional:
        summ.update(
            welfare_summary(
                optional["welfare"], efficiency_min_share=cfg.baselines.efficiency_min_share
            )
        )
    if "clients" in optional:
        shares = procurement_shares(
            optional["clients"], rec["trades"], rec["settlement"], rec["unit_prices"]
        )
        accounts = client_accounts(shares, optional.get("welfare_clients"))
        T.write_table(shares, run_dir / "records" / "client_units.parquet")
        T.write_table(accounts, run_dir / "records" / "client_accounts.parquet")
        summ.update(client_residuals(accounts, agents))
    if "forecasts" in optional:
        lead = cfg.population.coordinator.take_lead_minutes
        ie = imbalance_vs_forecast_error(optional["forecasts"], rec["settlement"], lead_min=lead)
        T.write_table(ie, run_dir / "records" / "imbalance_error.parquet")
        optional["imbalance_error"] = ie
        if len(ie) > 2:
            summ["imbalance_forecast_error_corr"] = _f_or_none(
                ie["forecast_error_kwh"].corr(ie["imbalance_kwh"])
            )
    if "nmae" in optional:
        nm = optional["nmae"]
        for kind, lo, hi, value in zip(
            nm["kind"],
            nm["lead_from_min"],
            nm["lead_to_min"],
            nm["nmae"].astype(float),
            strict=True,
        ):
            key = f"nmae_{kind}_lead_{lo:g}_{hi:g}min"
            summ[key] = None if math.isnan(value) else value
    summ.update(runtime)
    write_json(old_path, summ)
    if figures if figures is not None else cfg.output.figures:
        from rex_cli.plots.run import draw_all  # matplotlib only when drawing

        draw_all(
            {**rec, **optional, "units": units, "agents": agents, "term_structure": ts},
            run_dir / "figures",
            unit_minutes=m.unit_minutes,
            n_sample=cfg.output.sample_units,
            band=(cfg.plant.heat_pump_building.t_min_c, cfg.plant.heat_pump_building.t_max_c),
            weibull=(cfg.wind.k, cfg.wind.c_ms),
            lead_min=cfg.population.coordinator.take_lead_minutes,
        )
    return summ


def _mark_stopped(meta: dict[str, Any], run_dir: Path, exc: BaseException) -> None:
    """Record in ``meta.json`` that a run stopped early: interrupted, or failed and why.

    Works on a full disk too (``mark_stopped``); should even that fail, the recorded
    process is gone once this one exits, and readers report ``interrupted``.
    """
    if isinstance(exc, KeyboardInterrupt):
        meta.update(status="interrupted", reason=str(exc) or "interrupted by the user")
    else:
        meta.update(status="failed", reason=f"{type(exc).__name__}: {exc}")
    mark_stopped(run_dir / "meta.json", meta)


def execute_run(
    cfg: RexConfig,
    raw: DictConfig,
    run_dir: Path,
    *,
    overrides: Sequence[str] = (),
    progress: Progress | None = None,
    figures: bool | None = None,
) -> RunResult:
    """Simulate one scenario into ``run_dir`` and analyse it.

    ``meta.json`` is written with ``status: running`` before anything else and marked
    ``complete`` only after every file is in place; a failure marks it ``failed`` (with
    the reason) and an interrupt ``interrupted``, and the exception propagates. A run
    that ends but fails a conservation check is marked ``failed`` and returned with
    that status. Wall-clock figures go to ``timing.json``, not ``summary.json``.
    """
    run_dir = Path(run_dir)
    t0 = time.perf_counter()
    tree = seed_tree(cfg)
    meta: dict[str, Any] = {
        "status": "running",
        "process": process_tag(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seed": cfg.seed,
        "overrides": list(overrides),
        "versions": package_versions(),
        "lock": lock_status(),
        "git": git_revision(),
    }
    write_json(run_dir / "meta.json", meta)
    try:
        write_text(run_dir / "config.yaml", OmegaConf.to_yaml(raw, resolve=True))
        write_text(run_dir / "overrides.yaml", OmegaConf.to_yaml(OmegaConf.create(list(overrides))))
        world = build_world(cfg, tree)
        world.run(progress)
        sim_s = time.perf_counter() - t0
        for name, df in _record_tables(world, cfg).items():
            T.write_table(df, run_dir / "records" / f"{name}.parquet")
        welfare_s = _welfare(world, cfg, run_dir)
        ms = [x for c in world.coordinators if isinstance(c, PlantCoordinator) for x in c.solve_ms]
        timing: dict[str, Any] = {
            "simulation_s": round(sim_s, 3),
            "rhpo_solve_ms_median": round(float(np.median(ms)), 4) if ms else None,
            "rhpo_solve_ms_p95": round(float(np.percentile(ms, 95)), 4) if ms else None,
            **welfare_s,
        }
        write_json(run_dir / "summary.json", {"events_processed": world.engine.processed})
        summ = analyse_run(run_dir, cfg, figures=figures)
        digests = write_digest(run_dir)
        wall = time.perf_counter() - t0
        timing["wall_time_s"] = round(wall, 3)
        write_json(run_dir / "timing.json", timing)
        problems = []
        # Residuals are float sums: allow rounding relative to the amounts summed.
        kwh = abs(summ.get("volume_kwh") or 0.0) + abs(summ.get("imbalance_kwh") or 0.0)
        if abs(summ["cash_residual"]) > 1e-6 + 1e-9 * kwh * cfg.market.max_price:
            problems.append(f"cash_residual={summ['cash_residual']}")
        if abs(summ["energy_residual_kwh"]) > 1e-6 + 1e-9 * kwh:
            problems.append(f"energy_residual_kwh={summ['energy_residual_kwh']}")
        meta.update(
            status="failed" if problems else "complete",
            reason="; ".join(problems) if problems else None,
            rng=tree.describe(include_keys=cfg.population.n_agents <= 200),
            events_processed=world.engine.processed,
            wall_time_s=round(wall, 3),
            digest=digests["run"],
            finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        write_json(run_dir / "meta.json", meta)
        return RunResult(
            run_dir=run_dir, summary=summ, wall_time_s=wall,
            status=meta["status"], reason=meta["reason"],
        )  # fmt: skip
    except BaseException as exc:
        _mark_stopped(meta, run_dir, exc)
        raise


def execute_replications(
    cfg: RexConfig,
    raw: DictConfig,
    run_dir: Path,
    *,
    overrides: Sequence[str] = (),
    progress: Progress | None = None,
) -> RunResult:
    """Run ``cfg.replications`` independent seeds into ``run_dir/rep_NNN`` and tabulate.

    Replication ``i`` uses seed ``cfg.seed + i`` (``SeedSequence`` hashes neighbouring
    seeds into unrelated streams) and is a complete run folder of its own. The parent
    folder gets ``replications.parquet``/``.csv`` (per metric: n, mean, std and the
    Student-t interval at ``analysis.confidence``), ``per_run.csv`` and ``meta.json``.
    A replication that fails a conservation check is left out of the table and marks
    the whole folder ``failed`` (the other replications still run).
    """
    run_dir = Path(run_dir)
    n = cfg.replications
    meta: dict[str, Any] = {
        "status": "running",
        "process": process_tag(),
        "kind": "replications",
        "seed": cfg.seed,
        "replications": n,
        "overrides": list(overrides),
        "versions": package_versions(),
        "lock": lock_status(),
        "git": git_revision(),
    }
    write_json(run_dir / "meta.json", meta)
    t0 = time.perf_counter()
    rows = []
    failed: list[str] = []
    try:
        for i in range(n):
            seed = cfg.seed + i
            rep_cfg = dataclasses.replace(cfg, seed=seed, replications=1)
            rep_raw = raw.copy()
            rep_raw.seed = seed
            rep_raw.replications = 1
            sub = run_dir / f"rep_{i:03d}"
            sub.mkdir(parents=True, exist_ok=True)

            def rep_progress(done: int, total: int, i: int = i) -> None:
                if progress is not None:
                    progress(i * total + done, n * total)

            res = execute_run(rep_cfg, rep_raw, sub, overrides=[*overrides, f"seed={seed}"],
                              progress=rep_progress)  # fmt: skip
            if res.status != "complete":
                failed.append(f"{sub.name}: {res.reason}")
                continue
            rows.append({"replication": i, "seed": seed, **dict(sorted(res.summary.items()))})
        per_run = pd.DataFrame(rows)
        table = replication_table(per_run, confidence=cfg.analysis.confidence)
        T.write_table(table, run_dir / "replications.parquet")
        write_text(run_dir / "replications.csv", table.to_csv(index=False))
        write_text(run_dir / "per_run.csv", per_run.to_csv(index=False))
        means = dict(zip(table["metric"], table["mean"], strict=True))
        summ: dict[str, Any] = {k: (None if pd.isna(v) else float(v)) for k, v in means.items()}
        summ["replications"] = n
        write_json(run_dir / "summary.json", summ)
        wall = time.perf_counter() - t0
        reason = "; ".join(failed) if failed else None
        meta.update(status="failed" if failed else "complete", reason=reason,
                    wall_time_s=round(wall, 3))  # fmt: skip
        write_json(run_dir / "meta.json", meta)
        return RunResult(run_dir=run_dir, summary=summ, wall_time_s=wall,
                         status=meta["status"], reason=reason)  # fmt: skip
    except BaseException as exc:
        _mark_stopped(meta, run_dir, exc)
        raise
