"""The display-sample schedule keeps drawing under its share of the wall time at any run length."""

import pytest

from engine.training.loop import SampleSchedule


@pytest.mark.parametrize("cost,step_s", [(0.5, 0.01), (0.05, 0.002), (0.5, 0.4)])
def test_drawing_stays_within_its_budget_from_the_first_grid_on(cost, step_s):
    schedule = SampleSchedule(every=1, budget=0.1)
    now, spent, draws, start = 0.0, 0.0, 0, None
    for step in range(20000):
        if step == 0 or schedule.due(step, now):
            start = now if start is None else start
            schedule.record(step, now, now + cost)
            now += cost
            spent += cost
            draws += 1
            if draws > 1:  # after the first grid (the one a run starts with) the share never passes 10 %
                assert spent / (now - start) <= 0.1 + 1e-9
        now += step_s
    assert draws >= 0.9 * 0.1 * now / cost  # and it uses most of its budget (steps are coarse)


def test_every_n_steps_still_applies():
    schedule = SampleSchedule(every=100, budget=1.0)
    schedule.record(0, 0.0, 0.0)
    assert not schedule.due(99, 10.0) and schedule.due(100, 10.0)
