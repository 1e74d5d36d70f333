"""A run's recorded metrics (``metrics.jsonl`` records) read back as the events training emitted.

Opening a run shows its curves and newest evaluation in the same views that show a live run, so the
records become the same ``StepCompleted`` and ``EvaluationCompleted`` events the loop yields. Which keys
of a record are values and which are bookkeeping is the run folder's knowledge, kept here beside it
rather than in the window. Plain Python: no PyTorch.
"""

from __future__ import annotations

from engine.events import EvaluationCompleted, StepCompleted

BOOKKEEPING = ("event", "step", "time")   # every record's keys that are not measured values


def steps_from_records(records: list[dict], upto: int | None = None) -> list[StepCompleted]:
    """The "train" records (up to step ``upto``) as ``StepCompleted`` events with their numeric losses."""
    out = []
    for rec in records:
        if rec.get("event") != "train" or (upto is not None and rec["step"] > upto):
            continue
        losses = {k: float(v) for k, v in rec.items()
                  if k not in BOOKKEEPING and isinstance(v, (int, float)) and not isinstance(v, bool)
                  and not k.startswith("grad_norm_")}   # gradient norms: logged beside the losses, not losses
        out.append(StepCompleted(step=int(rec["step"]), elapsed=float(rec.get("time") or 0.0), losses=losses,
                                 steps_per_second=0.0, total_steps=0))
    return out


def last_evaluation(records: list[dict], upto: int | None = None) -> EvaluationCompleted | None:
    """The newest "eval" record (up to step ``upto``) as an ``EvaluationCompleted`` (None: none)."""
    evals = [rec for rec in records if rec.get("event") == "eval" and (upto is None or rec["step"] <= upto)]
    if not evals:
        return None
    rec = evals[-1]
    return EvaluationCompleted(step=int(rec["step"]), metrics={k: v for k, v in rec.items() if k not in BOOKKEEPING})
