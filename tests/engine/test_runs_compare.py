"""Compare: runs of several families on the same data, one metric axis, one noise bank."""

import json

import numpy as np
import pytest

from engine.errors import GenLabError
from engine.render import display_scale, image_grid, upscale
from engine.runs.compare import compare_runs, noise_bank
from engine.runs.load import load_run_model
from tests.engine.runs_helpers import tiny_config, train


@pytest.fixture(scope="module")
def digit_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    runs = {}
    for family in ("vae", "gan", "ar"):
        cfg = tiny_config(family, data="digits", steps=8, n_display=4, sample_every=10_000)
        if family in ("vae", "gan"):
            cfg.model.latent_dim = 16       # equal latent shapes: they must share their noise
        train(cfg, root / family)
        runs[family] = root / family
    return runs


def test_runs_of_three_families_share_noise_and_one_metric_axis(digit_runs):
    runs = [digit_runs["vae"], digit_runs["gan"], digit_runs["ar"]]
    cmp = compare_runs(runs, n=9, seed=3)
    assert cmp.kind == "image" and cmp.unit == "bits/dim"
    by = {r.family: r for r in cmp.runs}
    # held-out figures on one axis, exact or bound named; a GAN has none
    assert by["vae"].metric["unit"] == "bits/dim" and by["vae"].metric["kind"] == "bound"
    assert by["ar"].metric["kind"] == "exact" and by["ar"].metric["value"] > 0
    assert by["gan"].metric["value"] is None
    vae_nats = [r for r in by["vae"].curves if r.get("event") == "eval"][-1]["test_nll_nats"]
    assert by["vae"].metric["value"] == pytest.approx(vae_nats / (64 * np.log(2)))
    # the VAE and the GAN decoded the very same z, drawn once from the seed
    z = noise_bank((16,), 9, 3)
    for family in ("vae", "gan"):
        _, model, _ = load_run_model(digit_runs[family])
        expected = upscale(image_grid(model.decode(z)), display_scale(8))
        assert by[family].shared_noise and np.array_equal(by[family].samples, expected), family
    assert not by["ar"].shared_noise
    assert all(r.samples.dtype == np.uint8 and r.samples.shape == by["vae"].samples.shape for r in cmp.runs)
    again = compare_runs(runs, n=9, seed=3)
    assert all(np.array_equal(a.samples, b.samples) for a, b in zip(cmp.runs, again.runs))
    other = compare_runs(runs, n=9, seed=4)
    assert not np.array_equal(other.runs[0].samples, cmp.runs[0].samples)
    rows = cmp.table()
    assert [r["family"] for r in rows] == ["vae", "gan", "ar"] and all(r["unit"] == "bits/dim" for r in rows)
    assert all(any(rec.get("event") == "train" for rec in r.curves) for r in cmp.runs)


def test_point_runs_share_axes_and_runs_on_other_data_are_refused(tmp_path):
    train(tiny_config("vae", steps=5), tmp_path / "vae")
    train(tiny_config("diffusion", steps=5), tmp_path / "diffusion")
    cmp = compare_runs([tmp_path / "vae", tmp_path / "diffusion"], n=300)
    assert cmp.unit == "nats" and cmp.kind == "points"
    assert all(r.points.shape == (300, 2) and r.samples.shape == (400, 400, 3) for r in cmp.runs)
    assert cmp.runs[1].metric["kind"] == "bound" and cmp.runs[0].metric["value"] is not None
    other = tiny_config("vae", steps=5)
    other.data.name = "circles"
    train(other, tmp_path / "circles")
    with pytest.raises(GenLabError, match="different data"):
        compare_runs([tmp_path / "vae", tmp_path / "circles"])
    with pytest.raises(GenLabError, match="at least two"):
        compare_runs([tmp_path / "vae"])


def test_the_compare_command_prints_the_table_and_writes_the_picture(digit_runs, tmp_path, capsys):
    from PIL import Image

    from engine.cli.main import main
    out = tmp_path / "cmp.png"
    assert main(["compare", "--run", str(digit_runs["vae"]), "--run", str(digit_runs["ar"]), "-n", "4",
                 "--json", "-o", str(out)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["family"] for r in rows] == ["vae", "ar"] and rows[1]["kind"] == "exact"
    assert Image.open(out).size[0] > 2 * Image.open(digit_runs["vae"] / "samples" / "step_000000000.png").size[0] - 1
    assert main(["compare", "--run", str(digit_runs["vae"])]) == 2
