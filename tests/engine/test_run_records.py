"""A run's metrics records read back as the events training emitted (engine.runs.records)."""

from __future__ import annotations

from engine.runs.records import last_evaluation, steps_from_records

RECORDS = [
    {"event": "train", "step": 10, "time": 0.5, "loss": 2.0, "kl": 0.25, "lr": 1e-3, "note": "text", "flag": True},
    {"event": "eval", "step": 10, "time": 0.6, "test_nll_nats": 1.5, "nll_kind": "bound"},
    {"event": "resumed", "step": 10},
    {"event": "train", "step": 20, "time": 1.0, "loss": 1.0, "kl": 0.5, "lr": 1e-3},
    {"event": "eval", "step": 20, "time": 1.1, "test_nll_nats": 1.2, "nll_kind": "bound"},
]


def test_train_records_become_steps_with_their_numeric_values_only():
    steps = steps_from_records(RECORDS)
    assert [s.step for s in steps] == [10, 20]
    assert steps[0].losses == {"loss": 2.0, "kl": 0.25, "lr": 1e-3}     # text and booleans are not losses
    assert steps[0].elapsed == 0.5
    assert [s.step for s in steps_from_records(RECORDS, upto=15)] == [10]


def test_the_newest_evaluation_up_to_a_step():
    ev = last_evaluation(RECORDS)
    assert ev.step == 20 and ev.metrics == {"test_nll_nats": 1.2, "nll_kind": "bound"}
    assert last_evaluation(RECORDS, upto=15).step == 10
    assert last_evaluation(RECORDS, upto=5) is None and last_evaluation([]) is None
