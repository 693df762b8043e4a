import math

import pytest

from rex_cli.sim.engine import Engine


def test_runs_in_time_then_priority_then_schedule_order():
    eng = Engine()
    seen = []
    eng.schedule(2.0, seen.append, "t2")
    eng.schedule(1.0, seen.append, "t1-p5", priority=5)
    eng.schedule(1.0, seen.append, "t1-p0-a", priority=0)
    eng.schedule(1.0, seen.append, "t1-p0-b", priority=0)
    eng.schedule(0.5, seen.append, "t0.5")
    assert eng.run() == 5
    assert seen == ["t0.5", "t1-p0-a", "t1-p0-b", "t1-p5", "t2"]
    assert eng.now == 2.0 and eng.processed == 5


def test_run_until_is_inclusive_and_advances_clock():
    eng = Engine()
    seen = []
    for t in (1.0, 2.0, 3.0):
        eng.schedule(t, seen.append, t)
    assert eng.run(until=2.0) == 2
    assert seen == [1.0, 2.0]
    assert eng.now == 2.0
    assert eng.peek() == 3.0
    eng.run(until=10.0)
    assert seen == [1.0, 2.0, 3.0] and eng.now == 10.0


def test_events_scheduled_during_run_at_same_time_run_after_earlier_ones():
    eng = Engine()
    seen = []

    def first():
        seen.append("first")
        eng.schedule(eng.now, seen.append, "child")  # same time, same priority: after 'second'

    eng.schedule(1.0, first)
    eng.schedule(1.0, seen.append, "second")
    eng.run()
    assert seen == ["first", "second", "child"]


def test_cancelled_events_do_not_run_or_count():
    eng = Engine()
    seen = []
    h = eng.schedule(1.0, seen.append, "x", cancellable=True)
    eng.schedule(2.0, seen.append, "y")
    assert h is not None
    h.cancel()
    assert eng.run() == 1
    assert seen == ["y"]


@pytest.mark.parametrize("bad", [-1.0, math.nan])
def test_scheduling_in_the_past_or_nan_is_refused(bad):
    eng = Engine(start=0.0)
    with pytest.raises(ValueError):
        eng.schedule(bad, print)


def test_negative_start_time():
    eng = Engine(start=-60.0)
    seen = []
    eng.schedule(-30.0, seen.append, 1)
    eng.run()
    assert seen == [1] and eng.now == -30.0
