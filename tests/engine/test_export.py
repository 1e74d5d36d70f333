"""Export round trips: the PNG's metadata reloads the same config, the GIF holds every snapshot, the CSV
every record; the ONNX graph runs in onnxruntime and matches torch; torch.export programs run."""

import csv
import json

import numpy as np
import pytest
import torch
from PIL import Image

from engine.config import RunConfig
from engine.errors import GenLabError
from engine.runs.export import config_from_png, export_csv, export_gif, export_png, read_sample_image
from engine.runs.export_model import ModelExportError, export_module, export_onnx, export_program
from engine.runs.folder import RunFolder
from engine.runs.load import load_run_model
from engine.runs.workspace import read_curves
from tests.engine.runs_helpers import tiny_config, train


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "digits-vae"
    cfg = tiny_config("vae", data="digits", steps=12, sample_every=4, sample_budget=1.0, n_display=9,
                      eval_every=6)
    cfg.train.lr = 0.004
    cfg.model.latent_dim = 3
    train(cfg, path)
    return path


def test_png_carries_the_exact_config_and_reproduces_the_run(run, tmp_path):
    out = export_png(run, tmp_path / "grid.png")
    config = config_from_png(out)
    assert json.dumps(config.to_dict()) == json.dumps(RunFolder(run).read_config().to_dict())
    newest = RunFolder(run).sample_files()[-1]
    assert np.array_equal(read_sample_image(out), read_sample_image(newest))
    info = Image.open(out).info
    assert info["genlab.step"] == "12" and info["genlab.command"].startswith("genlab train --model vae")
    at4 = export_png(run, tmp_path / "step4.png", step=4)
    assert np.array_equal(read_sample_image(at4), read_sample_image(run / "samples" / "step_000000004.png"))
    with pytest.raises(GenLabError, match="no sample grid at step 5"):
        export_png(run, tmp_path / "x.png", step=5)
    from engine.cli.main import main
    assert main(["train", "--config", str(out), "--out", str(tmp_path / "again"), "--steps", "2", "--quiet"]) == 0
    again = RunFolder(tmp_path / "again").read_config()
    assert again.model == config.model and again.data == config.data and again.train.lr == 0.004


def test_gif_has_every_snapshot_in_order_and_csv_every_record(run, tmp_path):
    gif = Image.open(export_gif(run, tmp_path / "run.gif"))
    snaps = RunFolder(run).sample_files()
    assert [p.stem for p in snaps] == [f"step_{s:09d}" for s in (0, 4, 8, 12)]
    assert gif.n_frames == len(snaps)
    gif.seek(gif.n_frames - 1)
    assert gif.info["duration"] >= 1000            # the last frame is held
    few = Image.open(export_gif(run, tmp_path / "few.gif", max_frames=2))
    assert few.n_frames == 2
    rows = list(csv.DictReader(open(export_csv(run, tmp_path / "m.csv"), newline="")))
    records = read_curves(run)
    assert len(rows) == len(records) and rows[0].keys() >= {"event", "step", "time", "loss", "test_nll_nats"}
    evals = [r for r in rows if r["event"] == "eval"]
    assert [int(r["step"]) for r in evals] == [6, 12] and float(evals[0]["test_nll_nats"]) > 0
    with pytest.raises(GenLabError, match="must end in .gif"):
        export_gif(run, tmp_path / "run.png")


def test_onnx_decoder_matches_torch_in_onnxruntime(run, tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is in the test extra")
    path = export_onnx(run, tmp_path / "decoder.onnx")
    _, model, _ = load_run_model(run)
    z = torch.randn(5, 3, generator=torch.Generator().manual_seed(1))   # another batch size than exported
    expected = model.decode(z).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["z"]
    got = session.run(None, {"z": z.numpy()})[0]
    assert got.shape == (5, 1, 8, 8)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_torch_export_program_runs_and_matches(run, tmp_path):
    path = export_program(run, tmp_path / "decoder.pt2")
    program = torch.export.load(str(path))  # our own file, just written
    _, model, _ = load_run_model(run)
    z = torch.randn(7, 3, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(program.module()(z), model.decode(z))


def test_families_that_cannot_be_exported_say_why(tmp_path):
    from engine.data.spec import DataSpec
    from engine.models.registry import available_families, build_model, config_class, model_class
    assert {f for f in available_families() if model_class(f).export_unavailable} == {"ar"}
    if "ar" not in available_families():
        pytest.skip("the autoregressive family is not in this build")
    spec = DataSpec(kind="points", shape=(2,), value_range=(float("-inf"), float("inf")))
    model = build_model("ar", spec, config_class("ar")(width=32, heads=2, layers=1))
    with pytest.raises(ModelExportError, match="loop of random token draws"):
        export_module(model)


def test_the_export_command(run, tmp_path):
    from engine.cli.main import main
    assert main(["export", "--run", str(run), "--what", "csv", "-o", str(tmp_path / "m.csv")]) == 0
    assert (tmp_path / "m.csv").read_text().startswith("event,step,time")
    assert main(["export", "--run", str(run), "--what", "gif", "-o", str(tmp_path / "m.png")]) == 2
    assert main(["export", "--run", str(tmp_path / "nothing"), "--what", "png", "-o", str(tmp_path / "a.png")]) == 2
    assert RunConfig.from_dict(RunFolder(run).read_raw_config()).family == "vae"


@pytest.fixture(scope="module")
def mixture_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "digits-vae-mixture"
    cfg = tiny_config("vae", data="digits", steps=12, sample_every=12, eval_every=12)
    cfg.model.latent_dim = 3
    cfg.model.prior = "mixture"
    train(cfg, path)
    return path


def assert_same_pictures(got, expected, levels: int):
    """Equal pictures, but for a value that rounding put on the other side of a quantisation step (the
    decoder's median is rounded to the data's levels; two exact computations of the same sum may differ in
    the last bit): such a value is one level off, and only a few may be."""
    diff = np.abs(np.asarray(got, dtype=np.float64) - np.asarray(expected, dtype=np.float64))
    step = 1.0 / (levels - 1)
    assert np.all((diff < 1e-5) | (np.abs(diff - step) < 1e-5)), diff.max()
    assert (diff > 1e-5).mean() <= 0.01


def test_a_fitted_prior_is_exported_in_front_of_the_decoder(mixture_run, tmp_path):
    """A VAE that samples from the mixture fitted to its codes exports that draw too: inputs z (standard
    normal) and u (uniform), and from the same noise the exported network draws the model's own samples,
    not the decoder's picture of N(0, I) noise."""
    _, model, _ = load_run_model(mixture_run)
    fit = model.code_mixture.fitted()
    assert fit is not None and len(fit.log_w) > 1
    n = 40
    g = torch.Generator().manual_seed(3)
    u, z = torch.rand(n, generator=g), torch.randn(n, 3, generator=g)   # the order FittedMixture.sample draws
    with torch.no_grad():
        expected = model.decode(fit.sample(n, torch.Generator().manual_seed(3), "cpu"))
        standard = model.decode(z)
    program = torch.export.load(str(export_program(mixture_run, tmp_path / "decoder.pt2")))
    with torch.no_grad():
        got = program.module()(z, u)
    levels = model.spec.levels
    assert_same_pictures(got, expected, levels)
    assert (got - standard).abs().mean() > 10 / (levels - 1) / 64   # not the N(0, I) decoding
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is in the test extra")
    session = ort.InferenceSession(str(export_onnx(mixture_run, tmp_path / "decoder.onnx")),
                                   providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["z", "u"]
    assert_same_pictures(session.run(None, {"z": z.numpy(), "u": u.numpy()})[0], expected, levels)
