"""Faults a person can act on: running out of memory, a failed write, no checkpoint to go back to.

These are not bugs, so they never reach a crash log: each becomes one message that says what
happened, where, and what to change. ``is_out_of_memory`` recognises every allocator's way of saying
it (CUDA's ``torch.OutOfMemoryError``, the CPU allocator's ``RuntimeError``, Apple's MPS message,
NumPy's and Python's ``MemoryError``), so the training loop can stop cleanly with the last good
state saved instead of dying with a traceback.
"""

from __future__ import annotations

import gc
import traceback

import torch

_OOM_TEXTS = (
    "out of memory",                 # CUDA, MPS ("MPS backend out of memory"), HIP
    "can't allocate memory",         # torch's DefaultCPUAllocator
    "cannot allocate memory",        # errno 12 as text
    "not enough memory",             # Windows' CPU allocator
    "failed to allocate",            # some backends' wording
)


def is_out_of_memory(exc: BaseException) -> bool:
    """True for any allocator's out-of-memory error (GPU or host), False for everything else."""
    if isinstance(exc, MemoryError):
        return True
    oom_type = getattr(torch, "OutOfMemoryError", None)
    if oom_type is not None and isinstance(exc, oom_type):
        return True
    if isinstance(exc, RuntimeError):
        text = str(exc).lower()
        return any(t in text for t in _OOM_TEXTS)
    return False


def release_memory(exc: BaseException | None = None) -> None:
    """Drop what an out-of-memory error keeps alive (its traceback's frames hold the activations),
    then give cached blocks back, so a checkpoint can still be written afterwards."""
    if exc is not None and exc.__traceback__ is not None:
        try:
            traceback.clear_frames(exc.__traceback__)
        except RuntimeError:  # a frame that is still executing cannot be cleared
            pass
    gc.collect()
    if torch.cuda.is_available():
        try:
            torch.cuda.empty_cache()
        except RuntimeError:
            pass


def smaller_batch(batch_size: int) -> int:
    """The batch size to suggest after running out of memory: half, at least 1."""
    return max(1, int(batch_size) // 2)


def out_of_memory_message(activity: str, step: int, batch_size: int, device: str, detail: str,
                          saved_step: int | None, run_dir: str | None) -> str:
    """One paragraph for the log, the CLI and the window: what ran out, where, and what to change."""
    first = detail.strip().splitlines()[0] if detail.strip() else "no details"
    if len(first) > 200:
        first = first[:200] + "..."
    if activity == "drawing samples":
        advice = "draw fewer display samples (train.n_display) or use a smaller model"
    elif activity == "evaluating":
        advice = "evaluate on fewer examples (train.eval_limit) or use a smaller model"
    else:
        advice = f"use a smaller batch (train.batch_size={smaller_batch(batch_size)}) or a smaller model"
    text = (f"out of memory on {device} at step {step} while {activity} (batch {batch_size}): {first}. "
            f"Training stopped; {advice}.")
    if saved_step is not None:
        text += f" The last good state is saved at step {saved_step}"
        if run_dir:
            text += (f"; continue it with: genlab train --resume {run_dir} "
                     f"--set train.batch_size={smaller_batch(batch_size)}")
        text += "."
    else:
        text += " No checkpoint could be saved."
    return text
