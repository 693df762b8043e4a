"""The CLI in-process: run folders, bad input, config commands, report."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app

runner = CliRunner()
TINY = ["debug=tiny", "output.figures=false"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = runner.invoke(app, ["run", "debug=tiny", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def test_run_writes_a_complete_folder(tiny_run):
    out, result = tiny_run
    assert result.stdout.strip().splitlines()[-1] == str(out)
    for name in ("config.yaml", "overrides.yaml", "meta.json", "summary.json"):
        assert (out / name).is_file(), name
    for table in ("trades", "order_events", "units", "agents", "settlement", "quotes", "gate"):
        assert (out / "records" / f"{table}.parquet").is_file(), table
    for fig in ("trade_prices", "depth_heatmap", "settlement_by_kind"):
        assert (out / "figures" / f"{fig}.png").stat().st_size > 1000, fig
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "complete"
    assert meta["seed"] == 1 and meta["rng"]["bit_generator"] == "pcg64"
    assert "numpy" in meta["versions"] and meta["wall_time_s"] > 0
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "volume_kwh",
        "vwap_mean",
        "vwap_std",
        "spread_mean",
        "imbalance_kwh",
        "imbalance_cost",
        "cash_residual",
        "energy_residual_kwh",
        "events_processed",
    ):
        assert key in summary, key
    timing = json.loads((out / "timing.json").read_text())
    assert timing["wall_time_s"] > 0 and "wall_time_s" not in summary
    assert summary["trades"] > 0
    assert abs(summary["cash_residual"]) < 1e-9
    assert abs(summary["energy_residual_kwh"]) < 1e-9


def test_run_tables_are_consistent(tiny_run):
    out, _ = tiny_run
    trades = pd.read_parquet(out / "records" / "trades.parquet")
    units = pd.read_parquet(out / "records" / "units.parquet")
    settlement = pd.read_parquet(out / "records" / "settlement.parquet")
    # Nothing trades for a unit after its gate closure, or before its book opens.
    assert (trades["lead_time_min"] > 0).all()
    assert (trades["lead_time_min"] <= 8 * 15.0).all()
    # Volume per unit in the units table equals the trades table.
    vol = trades.groupby("target_unit")["qty_kwh"].sum()
    merged = units.set_index("target_unit")["volume_kwh"].reindex(vol.index)
    assert merged.to_numpy() == pytest.approx(vol.to_numpy())
    # Final positions equal the net traded quantity per agent and unit.
    bought = (
        trades.groupby(["buyer", "target_unit"])["qty_lots"].sum().rename_axis(["agent", "unit"])
    )
    sold = (
        trades.groupby(["seller", "target_unit"])["qty_lots"].sum().rename_axis(["agent", "unit"])
    )
    net = bought.sub(sold, fill_value=0)
    pos = settlement.set_index(["agent", "target_unit"])["position_lots"]
    assert len(net) > 0
    for (agent, unit), lots in net.items():
        assert pos[(agent, unit)] == lots
    # VWAP lies between low and high.
    traded = units.dropna(subset=["vwap"])
    assert (
        (traded["low"] <= traded["vwap"] + 1e-12) & (traded["vwap"] <= traded["high"] + 1e-12)
    ).all()


def test_report_rebuilds_tables_from_records(tiny_run):
    out, _ = tiny_run
    before = pd.read_parquet(out / "records" / "units.parquet")
    summary_before = json.loads((out / "summary.json").read_text())
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    after = pd.read_parquet(out / "records" / "units.parquet")
    pd.testing.assert_frame_equal(before, after)
    assert json.loads((out / "summary.json").read_text()) == summary_before


BAD = [
    ("market.tick=-1", "market.tick"),
    ("market.horizon_units=0", "market.horizon_units"),
    ("market.horizn=3", "market.horizn"),
    ("market.lot_kwh=abc", "market.lot_kwh"),
    ("seed=-4", "seed"),
    ("population=does_not_exist", "population"),
    ("market.unit_minutes=0", "market.unit_minutes"),
]


@pytest.mark.parametrize(("override", "key"), BAD)
def test_bad_input_is_one_line_naming_the_key_and_leaves_no_folder(tmp_path, override, key):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", override, "--out", str(out)])
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {key}"), err
    assert "Traceback" not in result.output
    assert not out.exists()


def test_out_folder_holding_a_run_is_refused(tiny_run):
    out, _ = tiny_run
    result = runner.invoke(app, ["run", *TINY, "--out", str(out)])
    assert result.exit_code == 2
    assert "already holds a run" in result.stderr


def test_config_show_prints_resolved_values():
    result = runner.invoke(app, ["config", "show", "market.tick=0.005"])
    assert result.exit_code == 0
    assert "tick: 0.005" in result.stdout


def test_config_check_validates_every_option():
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "options compose and validate" in result.stdout


def test_report_writes_markdown_and_self_contained_html(tiny_run):
    out, _ = tiny_run
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert "## Headline" in md and f"| trades | {summary['trades']} |" in md
    assert page.count("data:image/png;base64,") == len(list((out / "figures").glob("*.png")))
    assert (out / "figures" / "term_structure.png").is_file()


def test_report_refuses_an_incomplete_run(tmp_path):
    (tmp_path / "config.yaml").write_text("seed: 1\n")
    (tmp_path / "meta.json").write_text('{"status": "running"}')
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not 'complete'" in result.stderr


def test_replications_write_a_confidence_table(tmp_path):
    out = tmp_path / "reps"
    result = runner.invoke(
        app, ["run", *TINY, "replications=3", "duration_hours=2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "replications.csv")
    per_run = pd.read_csv(out / "per_run.csv")
    assert sorted(per_run["seed"]) == [1, 2, 3]
    row = table[table["metric"] == "volume_kwh"].iloc[0]
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(per_run["volume_kwh"].mean())
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    for i in range(3):
        meta = json.loads((out / f"rep_{i:03d}" / "meta.json").read_text())
        assert meta["status"] == "complete" and meta["seed"] == 1 + i
    assert json.loads((out / "meta.json").read_text())["status"] == "complete"


def test_verify_confirms_a_run_and_catches_a_changed_table(tmp_path):
    out = tmp_path / "v"
    assert runner.invoke(app, ["run", *TINY, "duration_hours=2", "--out", str(out)]).exit_code == 0
    ok = runner.invoke(app, ["verify", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "identical" in ok.stdout
    trades = pd.read_parquet(out / "records" / "trades.parquet")
    trades.loc[0, "price_ticks"] += 1
    trades.to_parquet(out / "records" / "trades.parquet", index=False)
    bad = runner.invoke(app, ["verify", str(out)])
    assert bad.exit_code == 1
    assert "saved tables changed since the run: trades" in bad.stderr
    assert "DIFFERENT" in bad.stderr and "table trades: differs" in bad.stderr
