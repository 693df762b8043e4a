"""Figures of one run. Functions here only draw, from tables; they compute nothing new."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rex_cli.analysis.settlement import wasted_generation_kwh

__all__ = [
    "draw_all",
    "draw_depth_heatmap",
    "draw_forecast_fan",
    "draw_imbalance_vs_error",
    "draw_nmae",
    "draw_settlement_by_kind",
    "draw_term_structure",
    "draw_trade_prices",
    "draw_welfare",
    "draw_wind_histogram",
    "sample_units",
]


def sample_units(units: pd.DataFrame, n: int) -> list[int]:
    """Pick ``n`` delivered units spread evenly over the day, preferring ones with trades."""
    traded = units.loc[units["trades"] > 0, "target_unit"].to_numpy()
    pool = traded if len(traded) >= n else units["target_unit"].to_numpy()
    if len(pool) == 0:
        return []
    idx = np.linspace(0, len(pool) - 1, num=min(n, len(pool))).round().astype(int)
    return [int(pool[i]) for i in np.unique(idx)]


def _save(fig: plt.Figure, path: Path) -> Path:
    """Save atomically: a full disk leaves neither a truncated figure nor a temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format=path.suffix.lstrip(".") or "png")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        plt.close(fig)
    return path


def draw_trade_prices(
    trades: pd.DataFrame,
    units: pd.DataFrame,
    chosen: Sequence[int],
    path: Path,
    *,
    unit_minutes: float,
) -> Path:
    """Trade prices against lead time for a few target units, with their imbalance prices."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    colours = plt.get_cmap("tab10")
    for i, unit in enumerate(chosen):
        t = trades[trades["target_unit"] == unit].sort_values("time_min")
        hours = unit * unit_minutes / 60.0
        label = f"unit {unit} ({int(hours):02d}:{round(hours % 1 * 60):02d})"
        c = colours(i % 10)
        ax.step(t["lead_time_min"], t["price"], where="post", color=c, lw=1.2, label=label)
        ax.scatter(
            t["lead_time_min"], t["price"], s=np.clip(t["qty_kwh"] * 20, 4, 60), color=c, alpha=0.5
        )
        row = units[units["target_unit"] == unit]
        if not row.empty:
            ax.axhline(float(row["short_price"].iloc[0]), color=c, ls=":", lw=0.8)
            ax.axhline(float(row["long_price"].iloc[0]), color=c, ls="--", lw=0.8)
    ax.invert_xaxis()
    ax.set_xlabel("lead time to gate closure (min)")
    ax.set_ylabel("trade price (currency/kWh)")
    ax.set_title("Trade prices over lead time (dotted: short price, dashed: long price)")
    if chosen:
        ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def draw_depth_heatmap(depth: pd.DataFrame, path: Path, *, unit_minutes: float) -> Path:
    """Resting depth (bid + ask, kWh) by target unit and lead time, sampled at unit starts."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, side in zip(axes, ("bid", "ask"), strict=True):
        if depth.empty:
            ax.set_title(f"{side} depth: no data")
            continue
        grid = depth.pivot_table(
            index="lead_units", columns="target_unit", values=f"{side}_kwh", aggfunc="mean"
        ).sort_index(ascending=False)
        im = ax.imshow(
            grid.to_numpy(),
            aspect="auto",
            origin="upper",
            cmap="viridis",
            extent=(
                float(np.min(grid.columns)) - 0.5,
                float(np.max(grid.columns)) + 0.5,
                float(np.min(grid.index)) - 0.5,
                float(np.max(grid.index)) + 0.5,
            ),
        )
        ax.set_title(f"resting {side} depth (kWh)")
        ax.set_xlabel("target unit")
        fig.colorbar(im, ax=ax, shrink=0.85)
    axes[0].set_ylabel(f"lead time (units of {unit_minutes:g} min)")
    return _save(fig, path)


def draw_settlement_by_kind(agents: pd.DataFrame, path: Path) -> Path:
    """Mean settlement per agent by kind: trade cash, imbalance payment, fuel cost."""
    cols = ["trade_cash", "imbalance_payment", "fuel_cost"]
    by = agents.groupby("kind")[cols].mean()
    by["imbalance_payment"] *= -1.0
    by["fuel_cost"] *= -1.0
    by.columns = ["trade cash (+ received)", "imbalance (− paid)", "fuel (− cost)"]
    fig, ax = plt.subplots(figsize=(7, 4))
    by.plot.bar(ax=ax, rot=0)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("currency per agent over the run")
    ax.set_title("Settlement by agent type (mean per agent)")
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def draw_building(
    plants: pd.DataFrame,
    agent: int,
    path: Path,
    *,
    unit_minutes: float,
    t_min_c: float,
    t_max_c: float,
) -> Path:
    """One heat-pump building over the run: temperature in its band, power, position, λ."""
    p = plants[plants["agent"] == agent].sort_values("target_unit")
    hours = p["target_unit"] * unit_minutes / 60.0
    dt = unit_minutes / 60.0
    fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
    ax = axes[0]
    ax.axhspan(t_min_c, t_max_c, color="tab:green", alpha=0.08, label="comfort band")
    ax.step(hours, p["request"], where="post", color="k", ls="--", lw=1, label="setpoint (request)")
    ax.plot(
        hours + dt, p["output"], color="tab:red", lw=1.5, label="indoor temperature (end of unit)"
    )
    ax.set_ylabel("°C")
    ax.legend(fontsize=8, loc="best")
    ax.set_title(f"Heat-pump building (agent {agent})")
    ax = axes[1]
    ax.step(
        hours, p["input_market_kwh"] / dt, where="post", color="tab:blue", label="heat-pump power"
    )
    ax.step(
        hours, p["position_kwh"] / dt, where="post", color="tab:orange", ls=":", label="reservation"
    )
    ax.set_ylabel("kW (electric)")
    ax.legend(fontsize=8, loc="best")
    ax = axes[2]
    ax.step(hours, p["lambda"], where="post", color="tab:purple")
    ax.set_ylabel("λ (currency/kWh)")
    ax.set_xlabel("hour of delivery")
    for a in axes:
        a.grid(alpha=0.3)
    return _save(fig, path)


def draw_term_structure(ts: pd.DataFrame, path: Path, *, unit_minutes: float) -> Path:
    """VWAP and volume by lead time, pooled over target units (the term structure)."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    if ts.empty:
        ax.set_title("Term structure: no trades")
        return _save(fig, path)
    lead_h = ts["lead_units"] * unit_minutes / 60.0
    width = unit_minutes / 60.0 * 0.8
    ax2 = ax.twinx()
    ax2.bar(lead_h, ts["volume_kwh"], width=width, color="tab:gray", alpha=0.3, label="volume")
    ax2.set_ylabel("volume (kWh)")
    ax.errorbar(lead_h, ts["vwap"], yerr=ts["price_std"].fillna(0.0), fmt="o-", color="tab:blue",
                ms=3, lw=1.2, capsize=2, label="VWAP ± std")  # fmt: skip
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.invert_xaxis()
    ax.set_xlabel("lead time to gate closure (h)")
    ax.set_ylabel("price (currency/kWh)")
    ax.set_title("Term structure: price by lead time, all target units")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def draw_forecast_fan(
    forecasts: pd.DataFrame, agent: int, units: Sequence[int], path: Path, *, label: str
) -> Path:
    """Forecast paths of one client for a few target units against lead time."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    colours = plt.get_cmap("tab10")
    f = forecasts[forecasts["agent"] == agent]
    for i, unit in enumerate(units):
        p = f[f["target_unit"] == unit].sort_values("time_min")
        if p.empty:
            continue
        c = colours(i % 10)
        ax.step(p["lead_time_min"], p["forecast_kwh"], where="post", color=c, lw=1.2,
                label=f"unit {unit}")  # fmt: skip
        ax.axhline(float(p["realised_kwh"].iloc[0]), color=c, ls=":", lw=0.8)
    ax.invert_xaxis()
    ax.set_xlabel("lead time to gate closure (min)")
    ax.set_ylabel("forecast (kWh, + consumed, − produced)")
    ax.set_title(f"Forecast evolution (CTBA-MMFE), {label}; dotted: realisation")
    ax.grid(alpha=0.3)
    if units:
        ax.legend(fontsize=8)
    return _save(fig, path)


def draw_nmae(nmae: pd.DataFrame, path: Path) -> Path:
    """NMAE of the forecasts against lead time, one line per client type."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, g in nmae.groupby("kind"):
        mid = (g["lead_from_min"] + g["lead_to_min"]) / 2.0
        ax.plot(mid, g["nmae"], "o-", label=str(kind))
    ax.set_xlabel("lead time (min, bucket middle)")
    ax.set_ylabel("NMAE (fraction of capacity or mean)")
    ax.set_title("Forecast error by lead time")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def draw_wind_histogram(speed_ms: np.ndarray, k: float, c: float, path: Path) -> Path:
    """Histogram of the simulated wind speed against the configured Weibull(k, c) density."""
    from scipy import stats

    fig, ax = plt.subplots(figsize=(7, 4))
    v = np.asarray(speed_ms, dtype=float)
    ax.hist(v, bins=30, density=True, alpha=0.5, label=f"simulated ({len(v)} farm-units)")
    grid = np.linspace(0, max(float(v.max(initial=0.0)), 3 * c), 200)
    ax.plot(grid, stats.weibull_min.pdf(grid, k, scale=c), "k-", label=f"Weibull k={k:g}, c={c:g}")
    ax.set_xlabel("hub-height wind speed (m/s)")
    ax.set_ylabel("density")
    ax.set_title("Wind speed: simulated vs configured marginal (diurnal cycle off in the pdf)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def draw_welfare(welfare: pd.DataFrame, path: Path, *, wasted_kwh: float | None = None) -> Path:
    """Welfare of no market, Rex, the same-information and the perfect planner.

    Left: totals, with the gap to the planner split into the information loss
    (planner − same-info) and the strategy and market-rule loss (same-info − Rex).
    Right: the resource costs by kind (storage: stored energy drawn down, negative
    when filled); ``wasted_kwh`` (costly generation in units where the system
    spilled) is noted under Rex's bar.
    """
    parts = [
        "backup_cost",
        "fuel_cost",
        "degradation_cost",
        "comfort_cost",
        "unserved_cost",
        "storage_cost",
    ]
    w = welfare.set_index("scenario")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
    colours = {
        "no_market": "tab:gray",
        "rex": "tab:blue",
        "same_info": "tab:olive",
        "planner": "tab:green",
    }
    labels = {
        "no_market": "no market",
        "rex": "Rex",
        "same_info": "same-info\nplanner",
        "planner": "perfect\nplanner",
    }
    order = [s for s in ("no_market", "rex", "same_info", "planner") if s in w.index]
    totals = w["total"].reindex(order).astype(float).tolist()
    x = np.arange(len(order))
    ax1.bar(x, totals, color=[colours[s] for s in order])
    ax1.set_xticks(x, [labels[s] for s in order])
    for i, total in enumerate(totals):
        ax1.annotate(f"{total:.2f}", (i, total), ha="center", va="top", fontsize=9)
    if {"rex", "same_info", "planner"} <= set(order):
        tot = w["total"].astype(float)
        rex, same, plan = (float(tot[s]) for s in ("rex", "same_info", "planner"))
        xr = order.index("planner") + 0.55
        for lo, hi, text in (
            (rex, same, f"strategy & market rules {same - rex:.2f}"),
            (same, plan, f"information {plan - same:.2f}"),
        ):
            ax1.annotate("", (xr, hi), (xr, lo), arrowprops={"arrowstyle": "<->", "lw": 1.2})
            ax1.text(xr + 0.05, (lo + hi) / 2, text, va="center", fontsize=8)
        ax1.set_xlim(-0.6, len(order) + 2.2)
    ax1.set_ylabel("welfare = − resource costs (currency)")
    ax1.set_title("Welfare and the gap to the perfect planner")
    ax1.axhline(0, color="k", lw=0.8)
    bottom_pos = np.zeros(len(order))
    bottom_neg = np.zeros(len(order))
    for part in parts:
        if part not in w:
            continue
        vals = w[part].reindex(order).astype(float).to_numpy()
        base = np.where(vals >= 0, bottom_pos, bottom_neg)
        ax2.bar(x, vals, bottom=base, label=part.replace("_", " "))
        bottom_pos += np.maximum(vals, 0)
        bottom_neg += np.minimum(vals, 0)
    ax2.set_xticks(x, [labels[s] for s in order])
    if wasted_kwh is not None and "rex" in order:
        ax2.annotate(
            f"wasted generation\n{wasted_kwh:.1f} kWh",
            (order.index("rex"), 0.0),
            xytext=(0, -28),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8,
            color="tab:red",
        )
    ax2.set_ylabel("currency")
    ax2.set_title("Resource costs by kind")
    ax2.axhline(0, color="k", lw=0.8)
    ax2.legend(fontsize=8)
    for a in (ax1, ax2):
        a.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def draw_imbalance_vs_error(table: pd.DataFrame, path: Path, *, lead_min: float) -> Path:
    """Imbalance against the forecast error in force shortly before gate closure."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    if len(table):
        ax.scatter(table["forecast_error_kwh"], table["imbalance_kwh"], s=6, alpha=0.35)
        lim = float(np.nanmax(np.abs(table[["forecast_error_kwh", "imbalance_kwh"]].to_numpy())))
        ax.plot([-lim, lim], [lim, -lim], "k:", lw=0.8, label="imbalance = −error")
        ax.legend(fontsize=8)
    ax.set_xlabel(f"forecast error {lead_min:g} min before gate closure (kWh)")
    ax.set_ylabel("imbalance = realised − position (kWh)")
    ax.set_title("Imbalance vs late forecast error (households and wind farms)")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def draw_all(
    tables: dict[str, pd.DataFrame],
    fig_dir: Path,
    *,
    unit_minutes: float,
    n_sample: int,
    band: tuple[float, float] | None = None,
    n_buildings: int = 2,
    weibull: tuple[float, float] | None = None,
    lead_min: float = 30.0,
) -> list[Path]:
    """Draw every run figure into ``fig_dir``; return the paths written."""
    chosen = sample_units(tables["units"], n_sample)
    paths = []
    agents = tables["agents"]
    plants = tables.get("plants")
    buildings = agents.loc[agents["kind"] == "heat_pump_building", "agent"].tolist()
    if plants is not None and buildings and band is not None:
        for agent in buildings[:n_buildings]:
            path = fig_dir / f"building_{agent}.png"
            paths.append(
                draw_building(
                    plants,
                    int(agent),
                    path,
                    unit_minutes=unit_minutes,
                    t_min_c=band[0],
                    t_max_c=band[1],
                )
            )
    fc = tables.get("forecasts")
    if fc is not None and len(fc):
        kinds = agents.set_index("agent")["kind"]
        for kind in ("wind_farm", "household"):
            members = [a for a in fc["agent"].unique() if kinds.get(a) == kind]
            if members:
                agent = int(members[0])
                paths.append(
                    draw_forecast_fan(
                        fc,
                        agent,
                        chosen,
                        fig_dir / f"forecast_fan_{kind}.png",
                        label=f"{kind} (agent {agent})",
                    )
                )
    if tables.get("nmae") is not None and len(tables["nmae"]):
        paths.append(draw_nmae(tables["nmae"], fig_dir / "forecast_nmae.png"))
    wind = tables.get("wind")
    if wind is not None and len(wind) and weibull is not None:
        paths.append(
            draw_wind_histogram(wind["speed_ms"].to_numpy(), *weibull, fig_dir / "wind_speed.png")
        )
    if tables.get("imbalance_error") is not None:
        scatter = fig_dir / "imbalance_vs_forecast_error.png"
        paths.append(draw_imbalance_vs_error(tables["imbalance_error"], scatter, lead_min=lead_min))
    if tables.get("welfare") is not None and len(tables["welfare"]):
        wasted = wasted_generation_kwh(tables["units"], tables["agents"], tables["settlement"])
        paths.append(draw_welfare(tables["welfare"], fig_dir / "welfare.png", wasted_kwh=wasted))
    return [
        *paths,
        draw_trade_prices(
            tables["trades"],
            tables["units"],
            chosen,
            fig_dir / "trade_prices.png",
            unit_minutes=unit_minutes,
        ),
        draw_depth_heatmap(
            tables["depth"], fig_dir / "depth_heatmap.png", unit_minutes=unit_minutes
        ),
        draw_settlement_by_kind(tables["agents"], fig_dir / "settlement_by_kind.png"),
        draw_term_structure(
            tables["term_structure"], fig_dir / "term_structure.png", unit_minutes=unit_minutes
        ),
    ]
