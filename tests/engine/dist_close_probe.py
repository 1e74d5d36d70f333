"""Run by ``torchrun`` in test_distributed: join the job as ``genlab train`` does, make the first
optimiser (which imports ``torch._dynamo`` and with it ``torch.distributed.nn``), leave, and print the
names of the threads still alive. After ``Distributed.close`` no Gloo thread may remain: one that
outlives it can abort the process at exit."""

import glob
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import torch  # noqa: E402

from engine.training.distributed import Distributed  # noqa: E402


def thread_names() -> list[str]:
    names = []
    for path in glob.glob(f"/proc/{os.getpid()}/task/*/comm"):
        try:
            names.append(Path(path).read_text().strip())
        except OSError:
            pass  # a thread that ended while we looked
    return sorted(names)


dist = Distributed.from_env()
param = torch.zeros(3, requires_grad=True)
torch.optim.Adam([param], lr=1e-3)
dist.barrier()
dist.close()
# One write of one line: both ranks share torchrun's stdout, and print() writes the text and its newline
# separately (unbuffered, the two reports interleaved into one line). A write under PIPE_BUF is atomic.
sys.stdout.write(json.dumps({"rank": dist.rank, "threads": thread_names()}) + "\n")
sys.stdout.flush()
