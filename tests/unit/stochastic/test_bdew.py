"""Household load from the BDEW 2025 profiles (demandlib's files)."""

import datetime as dt

import numpy as np
import pytest

from rex_cli.stochastic import bdew
from rex_cli.stochastic.bdew import (
    DayType,
    SlpProfile,
    bdew_household_load_kwh,
    day_type,
    draw_annual_kwh,
    german_holidays,
    read_slp,
    slp_energy_kwh,
)


def test_files_read_with_the_published_normalisation():
    # BDEW profiles are scaled to 1,000,000 kWh a year: with the dynamisation, the
    # holidays and 24/31 December as Saturdays, 2025 integrates to that within 0.1%.
    for prof in SlpProfile:
        table = read_slp(prof)
        assert table.shape == (12, 3, 96) and (table > 0).all()
        assert abs(bdew._year_total_kwh(prof, 2025) / 1e6 - 1) < 1e-3
    # first value of h25.csv: January, Saturday, 00:00-00:15 = 22.152 kWh
    assert read_slp(SlpProfile.h25)[0, DayType.SA.value, 0] == 22.152


def test_holidays_and_day_types_2025():
    hol = german_holidays(2025)
    assert dt.date(2025, 4, 18) in hol and dt.date(2025, 4, 21) in hol  # Easter 2025: 20 April
    assert dt.date(2025, 5, 29) in hol and dt.date(2025, 6, 9) in hol and len(hol) == 9
    assert day_type(dt.date(2025, 1, 13)) is DayType.WT  # Monday
    assert day_type(dt.date(2025, 1, 18)) is DayType.SA
    assert day_type(dt.date(2025, 1, 19)) is DayType.FT
    assert day_type(dt.date(2025, 10, 3)) is DayType.FT  # a Friday holiday
    assert day_type(dt.date(2025, 12, 24)) is DayType.SA  # a Wednesday


@pytest.mark.parametrize("profile", list(SlpProfile))
@pytest.mark.parametrize(("year", "unit"), [(2025, 15.0), (2024, 60.0), (2026, 5.0)])
def test_noise_free_year_integrates_to_the_drawn_annual_consumption(profile, year, unit):
    rng = np.random.default_rng(7)
    annual = draw_annual_kwh(rng, mean_kwh=3000.0, sigma=0.4)
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    e = bdew_household_load_kwh(
        profile,
        rng,
        start=dt.date(year, 1, 1),
        n_units=int(days * 1440 / unit),
        unit_minutes=unit,
        annual_kwh=annual,
        noise_sd=0.0,
    )
    assert abs(e.sum() / annual - 1) < 0.01
    assert (e > 0).all()


def test_quarter_hours_reach_other_units_conservatively():
    day = dt.date(2025, 1, 13)
    q = slp_energy_kwh(SlpProfile.h25, start=day, n_units=96, unit_minutes=15.0, annual_kwh=1e6)
    h = slp_energy_kwh(SlpProfile.h25, start=day, n_units=24, unit_minutes=60.0, annual_kwh=1e6)
    f = slp_energy_kwh(SlpProfile.h25, start=day, n_units=288, unit_minutes=5.0, annual_kwh=1e6)
    assert np.allclose(h, q.reshape(24, 4).sum(axis=1))
    assert np.allclose(f, np.repeat(q / 3, 3))
    # the file's Monday-in-January column times the dynamisation of 13 January
    raw = read_slp(SlpProfile.h25)[0, DayType.WT.value]
    ratio = q / raw
    assert np.allclose(ratio, ratio[0])


def test_noise_has_mean_one_and_uses_the_stream():
    rng = np.random.default_rng(1)
    day = dt.date(2025, 1, 13)
    kw = dict(start=day, n_units=96 * 60, unit_minutes=15.0, annual_kwh=3000.0)
    noisy = bdew_household_load_kwh(SlpProfile.h25, rng, noise_sd=0.3, **kw)
    clean = slp_energy_kwh(SlpProfile.h25, **kw)
    assert abs(noisy.sum() / clean.sum() - 1) < 0.03
    again = bdew_household_load_kwh(SlpProfile.h25, np.random.default_rng(1), noise_sd=0.3, **kw)
    assert np.array_equal(noisy, again)


def test_annual_draws_have_the_documented_mean():
    rng = np.random.default_rng(5)
    draws = np.array([draw_annual_kwh(rng, mean_kwh=3000.0, sigma=0.4) for _ in range(20000)])
    assert abs(draws.mean() / 3000 - 1) < 0.02
    assert abs(np.log(draws).std() - 0.4) < 0.01


def test_missing_demandlib_is_one_clear_error(monkeypatch):
    from rex_cli.stochastic import demandlib_files

    monkeypatch.setattr(demandlib_files, "find_spec", lambda name: None)
    with pytest.raises(demandlib_files.MissingDataPackageError, match="pip install 'demandlib"):
        demandlib_files.demandlib_file("bdew", "bdew_data", "h25.csv")
