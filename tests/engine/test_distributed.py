"""``genlab train`` under ``torchrun --nproc_per_node=2`` (Gloo on the CPU, 127.0.0.1).

The proof that gradients are synchronised is not that the two ranks end equal (ranks that read the
same data would stay equal without any synchronisation) but that, reading different shards, they end
equal to ONE process trained on the combined batches (batch 2B), and far from a process trained on
rank 0's shard alone. The families: the GAN (two optimisers, an R1 penalty, an EMA generator),
diffusion (EMA) and the image flow (ActNorm's data-dependent initialisation must use the global batch).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from engine.evaluate import evaluate_nll
from engine.models.base import noise_shard, randn
from engine.runs.load import load_run_model
from engine.runs.status import read_status
from engine.runs.workspace import open_run
from engine.training.loop import BatchSampler, Trainer
from tests.engine.runs_helpers import tiny_config

ROOT = Path(__file__).resolve().parents[2]
BATCH = 32  # per process; the GAN's R1 subset (a quarter of the batch, at least 8) shards evenly from 32 on
STEPS = {"gan": 200, "diffusion": 30, "flow": 30}  # the GAN's job is stopped early and resumed


def _config(family: str, batch: int):
    data = "digits" if family == "flow" else "moons"
    cfg = tiny_config(family, data=data, steps=STEPS[family], batch_size=batch, log_every=10, n_display=16,
                      eval_limit=64, sample_every=1000, checkpoint_seconds=0.0)
    cfg.data.n_train, cfg.data.n_test = 1000, 200
    return cfg


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Job:
    """``torchrun --nproc_per_node=2 main.py train ...`` with Gloo on 127.0.0.1; output kept in files."""

    def __init__(self, tmp: Path, name: str, *train_args):
        self.out, self.err = tmp / f"{name}.out", tmp / f"{name}.err"
        env = dict(os.environ, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1", PYTHONIOENCODING="utf-8")
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--nnodes=1",
               "--master_addr", "127.0.0.1", "--master_port", str(_free_port()),
               str(ROOT / "main.py"), "train", *map(str, train_args), "--quiet"]
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)

    def wait(self, timeout: float = 240) -> "Job":
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.rc, self.stdout, self.stderr = self.proc.returncode, self.out.read_text(), self.err.read_text()
        return self


def _start(family: str, tmp: Path) -> tuple[Job, Path]:
    cfg_file = tmp / f"{family}.json"
    cfg_file.write_text(json.dumps(_config(family, BATCH).to_dict()))
    run = tmp / f"{family}-2ranks"
    return Job(tmp, family, "--config", cfg_file, "--out", run), run


def _wait_for_training(run: Path, job: Job, timeout: float = 200.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and job.proc.poll() is None:
        metrics = run / "metrics.jsonl"
        if metrics.is_file() and '"train"' in metrics.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"the job never logged a training step: {job.err.read_text()[-2000:]}")


def _train_in_process(cfg, run: Path | None) -> Trainer:
    trainer = Trainer(cfg, run)
    for _ in trainer.events():
        pass
    return trainer


@pytest.fixture(scope="module")
def jobs(tmp_path_factory):
    """The torchrun jobs run while this process trains the single-process references. The GAN's job is
    stopped by SIGTERM (as a scheduler preempts a job) once it trains, then resumed to the end."""
    tmp = tmp_path_factory.mktemp("dist")
    started = {family: _start(family, tmp) for family in ("gan", "diffusion", "flow")}
    gan_job, gan_run = started["gan"]
    _wait_for_training(gan_run, gan_job)
    gan_job.proc.send_signal(signal.SIGTERM)
    stopped = gan_job.wait()
    assert stopped.stdout.strip(), f"the stopped job printed no summary: {stopped.stderr[-3000:]}"
    stopped_step = json.loads((gan_run / "status.json").read_text())["step"]
    started["gan"] = (Job(tmp, "gan-resumed", "--resume", gan_run, "--steps", STEPS["gan"] - stopped_step), gan_run)

    refs = {family: _train_in_process(_config(family, 2 * BATCH), tmp / f"{family}-1x{2 * BATCH}")
            for family in started}
    alone = {family: _train_in_process(_config(family, BATCH), None) for family in started}  # rank 0's shard only
    out = {family: (job.wait(), run) for family, (job, run) in started.items()}
    return out, refs, alone, (stopped, stopped_step)


def _state(run: Path) -> dict[str, torch.Tensor]:
    _, model, _ = load_run_model(run)
    return {k: v.double() for k, v in model.state_dict().items() if v.is_floating_point()}


def _floats(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().double() for k, v in model.state_dict().items() if v.is_floating_point()}


def _max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a if a[k].numel())


@pytest.mark.parametrize("family", ["gan", "diffusion", "flow"])
def test_two_ranks_equal_one_process_on_the_combined_batches(jobs, family):
    out, refs, alone, _ = jobs
    job, run = out[family]
    assert job.rc == 0, job.stderr[-3000:]
    lines = job.stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["step"] == STEPS[family]  # only rank 0 prints

    env = json.loads((run / "env.json").read_text())["distributed"]
    assert env["world"] == 2 and env["global_batch"] == 2 * BATCH and env["backend"] == "gloo"
    assert env["compared_at_step"] == STEPS[family] and env["max_difference_from_rank0"] == 0.0  # ranks in step

    dist_state = _state(run)
    off = _max_diff(dist_state, _floats(refs[family].model))
    # Sums over 2 x 32 examples and over 64 round differently, and Adam's first steps turn a near-zero
    # gradient's rounding into up to a whole step (lr 1e-3): the flow's freshly initialised ActNorm
    # shows ~1.5e-4. Training on half the data instead differs by orders of magnitude more.
    assert off <= 5e-4
    assert _max_diff(dist_state, _floats(alone[family].model)) > 50 * max(off, 1e-6)

    if family != "gan":  # the logged losses are the global batch's, as the single process logged them
        dist_train = [r for r in open_run(run).curves if r["event"] == "train"]
        ref_train = [r for r in open_run(refs[family].run.path).curves if r["event"] == "train"]
        assert [r["step"] for r in dist_train] == [r["step"] for r in ref_train] == [10, 20, 30]
        for a, b in zip(dist_train, ref_train):
            assert a["loss"] == pytest.approx(b["loss"], rel=1e-4, abs=1e-5)


def test_a_stopped_job_saves_where_the_ranks_agreed_and_resumes_exactly(jobs):
    out, _, _, (stopped, stopped_step) = jobs
    assert stopped.rc != 0  # torchrun reports the signal
    summary = json.loads(stopped.stdout.strip().splitlines()[-1])
    assert summary["reason"] == "stopped" and summary["step"] == stopped_step
    assert 10 <= stopped_step < STEPS["gan"]
    assert f"stopped at step {stopped_step}; checkpoint saved" in stopped.stderr
    resumed = [r for r in open_run(out["gan"][1]).curves if r["event"] == "resumed"]
    assert [r["step"] for r in resumed] == [stopped_step]
    # and the weights after stop and resume equal the uninterrupted single process's (the test above)


@pytest.mark.parametrize("family", ["gan", "diffusion", "flow"])
def test_the_distributed_run_folder_is_complete_and_opens(jobs, family):
    out, _, _, (_, stopped_step) = jobs
    job, run = out[family]
    assert job.rc == 0, job.stderr[-3000:]
    for name in ("config.json", "env.json", "metrics.jsonl", "status.json"):
        assert (run / name).is_file(), name
    assert read_status(run)["state"] == "finished"
    config = json.loads((run / "config.json").read_text())
    assert config["resolved"]["distributed"] == {"world": 2, "global_batch": 2 * BATCH}
    opened = open_run(run)
    saved = [stopped_step, STEPS[family]] if family == "gan" else [STEPS[family]]
    assert opened.checkpoints == saved and opened.samples
    assert opened.curves[-1]["event"] == "finished"
    cfg, model, ckpt = load_run_model(run)
    assert ckpt.step == STEPS[family] and cfg.family == family
    x = model.sample(8, generator=torch.Generator().manual_seed(0))
    assert x.shape[0] == 8 and torch.isfinite(x).all()
    if model.has("log_likelihood"):
        ds_x = torch.rand(16, *model.spec.shape) if model.spec.kind == "image" else torch.randn(16, 2)
        if model.spec.kind == "image":
            ds_x = (ds_x * (model.spec.levels - 1)).round() / (model.spec.levels - 1)
        m = evaluate_nll(model, ds_x, None, 16, torch.Generator().manual_seed(0))
        assert m["test_nll_nats"] is not None and m["n_test"] == 16
    if model.has("latent"):
        z = torch.zeros(2, *model.latent_shape())
        assert torch.isfinite(model.decode(z)).all()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads thread names from /proc (Linux)")
def test_leaving_the_job_ends_the_process_groups_threads(tmp_path):
    """A Gloo thread that outlives ``close`` can abort the process at exit (SIGABRT, "terminate called
    without an active exception"), so a finished job failed now and then under load. The cause was a
    module imported after joining that kept the process group alive; the probe imports it the way the
    first optimiser does and checks that leaving ends every Gloo thread, on both ranks, every time."""
    env = dict(os.environ, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--nnodes=1",
           "--master_addr", "127.0.0.1", "--master_port", str(_free_port()),
           str(ROOT / "tests" / "engine" / "dist_close_probe.py")]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert sorted(r["rank"] for r in reports) == [0, 1]
    for report in reports:
        assert not [t for t in report["threads"] if "gloo" in t], report


@pytest.mark.parametrize("n", [96, 100])
def test_ranks_read_disjoint_shards_of_the_single_process_batch(n):
    whole = BatchSampler(n, 16, torch.Generator().manual_seed(7))
    ranks = [BatchSampler(n, 8, torch.Generator().manual_seed(7), rank=r, world=2) for r in (0, 1)]
    for _ in range(20):  # 100: batches straddle epochs (and may repeat an example, as one process's do)
        batch = whole.next()
        r0, r1 = (s.next() for s in ranks)
        assert torch.equal(torch.stack([r0, r1], 1).flatten(), batch)
        if n == 96:
            assert set(r0.tolist()).isdisjoint(r1.tolist())


def test_sharded_noise_is_the_single_process_noise_dealt_like_the_batch():
    whole = randn((6, 3), torch.Generator().manual_seed(1), "cpu")
    parts = []
    for rank in (0, 1):
        with noise_shard(rank, 2):
            parts.append(randn((3, 3), torch.Generator().manual_seed(1), "cpu"))
    assert torch.equal(torch.stack(parts, 1).flatten(0, 1), whole)
    with noise_shard(0, 1):  # one process: unchanged
        assert torch.equal(randn((6, 3), torch.Generator().manual_seed(1), "cpu"), whole)


def test_outside_torchrun_nothing_is_joined_and_a_broken_environment_is_named():
    from engine.training.distributed import Distributed, DistributedError
    assert Distributed.from_env({}) is None  # plain genlab train
    base = {"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}
    with pytest.raises(DistributedError, match="RANK='x' is not a whole number"):
        Distributed.from_env({**base, "RANK": "x"})
    with pytest.raises(DistributedError, match="do not fit together"):
        Distributed.from_env({**base, "RANK": "2"})
    with pytest.raises(DistributedError, match="GENLAB_DIST_TIMEOUT='soon'"):
        Distributed.from_env({**base, "GENLAB_DIST_TIMEOUT": "soon"})


def test_genlab_train_reports_a_broken_torchrun_environment_in_one_line(monkeypatch, capsys, tmp_path):
    from engine.cli.main import main
    for key, value in {"RANK": "1", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(key, value)
    assert main(["train", "--model", "vae", "--data", "moons", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["genlab: error: torchrun environment: RANK=1, WORLD_SIZE=1, LOCAL_RANK=0, "
                   "LOCAL_WORLD_SIZE=1 do not fit together"]
    assert not (tmp_path / "run").exists()
