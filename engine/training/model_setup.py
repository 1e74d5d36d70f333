"""The run's model before its first step: sized before it is built, built or rebuilt from a checkpoint,
put on its device with its optimisers; and the facts about the run the folder records.

Kept apart from the loop (``engine.training.loop``), which only drives the model once it exists.
"""

from __future__ import annotations

from engine.config import RunConfig
from engine.models.registry import build_model, model_class
from engine.models.size_guard import check_training_fits
from engine.training.recovery import model_for_resume


def run_facts(ds, preprocess, batch_size: int, world: int) -> dict:
    """What the run folder records about the data the run resolved to (``config.json``'s "resolved")."""
    facts = {"spec": ds.spec.to_dict(), "preprocess": preprocess.to_dict(), "batch_size": batch_size,
             "n_train": len(ds.x_train), "n_test": len(ds.x_test), "source": ds.source,
             "preparation": getattr(ds, "preparation", {})}
    if world > 1:
        facts["distributed"] = {"world": world, "global_batch": batch_size * world}
    return facts


def prepare_model(config: RunConfig, spec, preprocess, ckpt, batch_size: int, device, amp, where):
    """The model to train: sized on the meta device first, so settings too large together are refused
    with the estimate before anything is built (``engine.models.size_guard``); then built, or rebuilt
    from ``ckpt``'s arguments, on ``device`` with the run's clipping, mixed precision and optimisers."""
    tc = config.train
    check_training_fits(model_class(config.family), config.model,
                        ckpt.init_args if ckpt is not None else
                        {"spec": spec.to_dict(), "preprocess": preprocess.to_dict()},
                        batch_size, device, where)
    if ckpt is not None:
        model = model_for_resume(ckpt, config)
    else:
        model = build_model(config.family, spec, config.model, preprocess.to_dict())
    model.to(device)
    model.grad_clip = tc.grad_clip
    model.amp = amp
    model.configure_optimizers(tc.lr)
    return model


def lr_factor_on_resume(model, ckpt, config: RunConfig) -> float | None:
    """The learning-rate schedule's factor to continue from: the checkpoint's, when the run keeps its
    learning rate (exactly where the uninterrupted run would be); a new constant rate is set at once."""
    tc = config.train
    if ckpt.trainer.get("lr") == tc.lr:
        return ckpt.trainer.get("lr_factor")
    if tc.lr_schedule == "constant":
        model.set_lr(tc.lr)
    return None
