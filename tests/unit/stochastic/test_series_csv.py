"""Tests of CSV series input (rex_cli.stochastic.series)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rex_cli.stochastic.series import load_series_csv, read_series_csv, resample_to_units


def _write(tmp_path: Path, text: str, name: str = "series.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _five_minute_csv(tmp_path: Path, n: int = 12, start: str = "2024-01-06 00:00") -> Path:
    times = pd.date_range(start, periods=n, freq="5min")
    lines = ["time,speed,power_kw"] + [
        f"{t:%Y-%m-%d %H:%M},{i:.1f},{10 * i:.1f}" for i, t in enumerate(times)
    ]
    return _write(tmp_path, "\n".join(lines) + "\n")


def test_mean_resampling_of_five_minute_data(tmp_path: Path) -> None:
    p = _five_minute_csv(tmp_path)
    values = load_series_csv(p, column="speed", unit_minutes=15)
    np.testing.assert_allclose(values, [1.0, 4.0, 7.0, 10.0])
    s = read_series_csv(p, column="power_kw", unit_minutes=15)
    np.testing.assert_allclose(s.values, [10.0, 40.0, 70.0, 100.0])
    assert s.start == pd.Timestamp("2024-01-06 00:00", tz="UTC")
    assert s.start_weekday == 5  # a Saturday
    assert s.start_hour == 0.0
    np.testing.assert_array_equal(s.samples_per_unit, [3, 3, 3, 3])


def test_grid_is_anchored_and_partial_first_unit(tmp_path: Path) -> None:
    p = _five_minute_csv(tmp_path, n=6, start="2024-01-01 07:05")
    s = read_series_csv(p, column="speed", unit_minutes=15)
    # Samples at :05 :10 | :15 :20 :25 | :30: units start at 07:00.
    assert s.start == pd.Timestamp("2024-01-01 07:00", tz="UTC")
    np.testing.assert_allclose(s.values, [0.5, 3.0, 5.0])
    assert s.start_hour == pytest.approx(7.0)


def test_same_unit_is_identity(tmp_path: Path) -> None:
    p = _five_minute_csv(tmp_path, n=4)
    np.testing.assert_allclose(load_series_csv(p, column="speed", unit_minutes=5), [0, 1, 2, 3])


def test_numeric_minutes_and_timezone_offsets(tmp_path: Path) -> None:
    p = _write(tmp_path, "t,load\n0,1\n10,3\n20,5\n30,7\n")
    s = read_series_csv(p, column="load", time_column="t", unit_minutes=20)
    np.testing.assert_allclose(s.values, [2.0, 6.0])
    assert s.start == 0.0 and s.start_weekday is None
    q = _write(
        tmp_path,
        "time,v\n2024-03-01T01:00:00+01:00,1\n2024-03-01T01:15:00+01:00,2\n",
        "tz.csv",
    )
    sq = read_series_csv(q, column="v", unit_minutes=15)
    assert sq.start == pd.Timestamp("2024-03-01 00:00", tz="UTC")


def test_empty_cells_are_missing_samples(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,v\n0,1\n5,\n10,3\n15,5\n")
    np.testing.assert_allclose(load_series_csv(p, column="v", unit_minutes=15), [2.0, 5.0])


def test_missing_column(tmp_path: Path) -> None:
    p = _five_minute_csv(tmp_path)
    with pytest.raises(ValueError, match=r"series\.csv: no column 'wind' \(columns: time, speed"):
        load_series_csv(p, column="wind", unit_minutes=15)
    with pytest.raises(ValueError, match=r"no time column 'stamp'"):
        load_series_csv(p, column="speed", time_column="stamp", unit_minutes=15)


def test_unparsable_time(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,v\n2024-01-01 00:00,1\nyesterday,2\n")
    with pytest.raises(ValueError, match=r"series\.csv: time column 'time': line 3: cannot parse"):
        load_series_csv(p, column="v", unit_minutes=15)


def test_non_numeric_value(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,v\n0,1\n5,abc\n")
    with pytest.raises(ValueError, match=r"column 'v': line 3: not a number"):
        load_series_csv(p, column="v", unit_minutes=15)


def test_gap_larger_than_one_unit(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,v\n2024-01-01 00:00,1\n2024-01-01 00:15,2\n2024-01-01 01:00,3\n")
    with pytest.raises(
        ValueError, match=r"series\.csv: column 'v': gap of 45 min .* exceeds the unit \(15 min\)"
    ):
        load_series_csv(p, column="v", unit_minutes=15)
    # A gap made of empty cells is a gap too.
    q = _write(tmp_path, "time,v\n0,1\n15,\n30,\n45,3\n", "holes.csv")
    with pytest.raises(ValueError, match="gap of 45 min"):
        load_series_csv(q, column="v", unit_minutes=15)


def test_times_must_increase(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,v\n0,1\n10,2\n10,3\n")
    with pytest.raises(ValueError, match="strictly increasing"):
        load_series_csv(p, column="v", unit_minutes=15)


def test_too_short(tmp_path: Path) -> None:
    p = _five_minute_csv(tmp_path, n=6)
    with pytest.raises(ValueError, match=r"column 'speed': 2 units of 15 min, need at least 96"):
        load_series_csv(p, column="speed", unit_minutes=15, min_units=96)
    q = _write(tmp_path, "time,v\n", "empty.csv")
    with pytest.raises(ValueError, match="0 units"):
        load_series_csv(q, column="v", unit_minutes=15)


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_series_csv(tmp_path / "nope.csv", column="v", unit_minutes=15)
    p = _write(tmp_path, "", "blank.csv")
    with pytest.raises(ValueError, match=r"blank\.csv: cannot read as CSV"):
        load_series_csv(p, column="v", unit_minutes=15)


def test_resample_to_units_direct() -> None:
    values, start, counts = resample_to_units([7.0, 12.0, 16.0], [1.0, 2.0, 4.0], unit_minutes=10)
    assert start == 0.0
    np.testing.assert_allclose(values, [1.0, 3.0])
    np.testing.assert_array_equal(counts, [1, 2])
    with pytest.raises(ValueError, match=r"^unit_minutes "):
        resample_to_units([0.0], [1.0], unit_minutes=0)


def test_hourly_points_are_interpolated_linearly(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,t\n2024-01-01 00:00,0\n2024-01-01 01:00,4\n2024-01-01 02:00,8\n")
    s = read_series_csv(p, column="t", unit_minutes=15)
    # the linear interpolant's mean over each quarter hour, up to the unit of the last sample
    np.testing.assert_allclose(s.values, [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.0])
    assert s.start == pd.Timestamp("2024-01-01 00:00", tz="UTC")
    np.testing.assert_array_equal(s.samples_per_unit, [1, 0, 0, 0, 1, 0, 0, 0, 1])


def test_hourly_means_are_resampled_conservatively(tmp_path: Path) -> None:
    from rex_cli.stochastic.series import Interpolation

    p = _write(tmp_path, "time,g\n0,0\n60,0\n120,400\n180,800\n240,0\n300,0\n")
    s = read_series_csv(p, column="g", unit_minutes=15, interpolation=Interpolation.conservative)
    assert s.values.size == 24  # the last hour lasts the file's spacing
    np.testing.assert_allclose(s.values.reshape(6, 4).mean(axis=1), [0, 0, 400, 800, 0, 0])
    assert (s.values[:8] == 0).all() and (s.values >= 0).all()


def test_missing_hours_in_a_coarse_file_name_lines_and_times(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "time,t\n2024-01-01T00:00,1\n2024-01-01T01:00,2\n2024-01-01T04:00,3\n",
    )
    with pytest.raises(
        ValueError,
        match=r"gap of 180 min between line 3 \(2024-01-01T01:00\) and line 4 "
        r"\(2024-01-01T04:00\) exceeds the unit \(15 min\) and twice the file's spacing",
    ):
        load_series_csv(p, column="t", unit_minutes=15)
