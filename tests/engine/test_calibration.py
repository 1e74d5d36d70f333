"""The speed measurement behind the presets: a machine kept busy by other programs is noticed, its rates
are used but not settled in the cache, and the next plan measures them again."""

import json

import pytest

from engine.calibration import BUSY_SUFFIX, calibrate, candidate_key, machine_key, measure_rates
from engine.data.spec import DataSpec
from engine.devices import set_torch_threads
from engine.models.registry import model_class
from engine.presets import plan_run
from tests.helpers import busy_processor


def small_spec():
    return DataSpec(kind="image", shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17, num_classes=10, name="t")


def test_a_busy_machine_is_measured_used_and_kept_apart(tmp_path):
    spec = small_spec()
    candidates = model_class("vae").size_candidates(spec)[:2]
    cache = tmp_path / "calibration.json"
    with busy_processor():
        measured = calibrate("vae", spec, candidates, "cpu", 1, cache_path=cache)
    assert set(measured.rates) == {c.name for c in candidates} and all(r > 0 for r in measured.rates.values())
    assert measured.busy_share is not None and 0 < measured.busy_share < 0.75
    saved = json.loads(cache.read_text())
    machine = machine_key("cpu", set_torch_threads(1))
    keys = {candidate_key("vae", spec, c) for c in candidates}
    assert not keys & set(saved.get(machine, {}))          # nothing settled from a busy machine
    assert set(saved[machine + BUSY_SUFFIX]) == keys
    # Without measuring (the window's first look), the busy figures stand in, and the plan says so.
    plan = plan_run("vae", spec, 60, "cpu", 1, cache_path=cache, measure=False)
    assert plan.busy_share == measured.busy_share and plan.rates == measured.rates
    assert any("busy" in w and "measures again" in w for w in plan.warnings)
    assert plan.to_dict()["busy_share"] == plan.busy_share


def test_quiet_rates_are_settled_and_busy_ones_are_measured_again(tmp_path):
    spec = small_spec()
    first, second = model_class("vae").size_candidates(spec)[:2]
    machine = machine_key("cpu", set_torch_threads(1))
    cache = tmp_path / "calibration.json"
    # Rates no machine makes, so a figure that was measured again shows.
    cache.write_text(json.dumps({machine: {candidate_key("vae", spec, first): 1e-6},
                                 machine + BUSY_SUFFIX: {candidate_key("vae", spec, second): [1e-6, 0.3]}}))
    cached = calibrate("vae", spec, (first, second), "cpu", 1, cache_path=cache, measure=False)
    assert cached.rates == {first.name: 1e-6, second.name: 1e-6} and cached.busy_share == 0.3
    again = calibrate("vae", spec, (first, second), "cpu", 1, cache_path=cache)
    assert again.rates[first.name] == 1e-6                 # settled: not measured again
    assert again.rates[second.name] > 1                    # measured now
    saved = json.loads(cache.read_text())
    key = candidate_key("vae", spec, second)
    quiet, busy = key in saved[machine], key in saved.get(machine + BUSY_SUFFIX, {})
    assert quiet != busy                                   # in one place: settled when quiet, else busy again
    if busy:
        assert saved[machine + BUSY_SUFFIX][key][0] == again.rates[second.name] and again.busy_share < 0.75
    else:
        assert again.busy_share is None and machine + BUSY_SUFFIX not in saved   # nothing busy is left


DAMAGE = {
    "not an object": lambda machine, key: [1, 2],
    "a machine that is not an object": lambda machine, key: {machine: -3},
    "a rate that is not a number": lambda machine, key: {machine: {key: "fast"}},
    "a rate below zero": lambda machine, key: {machine: {key: -3}},
    "a busy entry of the wrong form": lambda machine, key: {machine + BUSY_SUFFIX: {key: {"rate": 2}}},
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_is_measured_again_not_trusted(tmp_path, damage):
    spec = small_spec()
    candidates = model_class("vae").size_candidates(spec)[:1]
    machine = machine_key("cpu", set_torch_threads(1))
    key = candidate_key("vae", spec, candidates[0])
    cache = tmp_path / "calibration.json"
    cache.write_text(json.dumps(DAMAGE[damage](machine, key)))
    rates = measure_rates("vae", spec, candidates, "cpu", 1, cache_path=cache)
    assert rates[candidates[0].name] > 1                    # measured, not read from the damaged entry
    saved = json.loads(cache.read_text())
    assert key in saved.get(machine, {}) or key in saved.get(machine + BUSY_SUFFIX, {})
