"""The Learn dock: the run's own numbers in the formulas (equal to metrics.jsonl at the same step),
drawn only while visible; both languages and each family's variant; the comparison table from a real
run; a class-conditional model classifying the test set in the background, with its mistakes shown."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.learn.classify import classify
from engine.models.registry import build_model, config_class
from engine.training.snapshot import take_snapshot
from tests.gui.conftest import choose


def _records(run_dir, event="train"):
    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r.get("event") == event]


def test_numbers_shown_equal_the_run_s_metrics_and_are_drawn_only_while_visible(make_window, qtbot):
    w = make_window()
    choose(w, "moons", "vae", steps=120)
    form = w.setup_dock.model_form
    form.widgets["hidden"].setValue(32)
    learn = w.learn_dock
    assert not learn.on_screen()                        # tabbed behind Losses by default
    before = learn.renders
    w.controls.train.trigger()
    qtbot.waitUntil(lambda: learn.latest is not None and learn.latest.step >= 40, timeout=60_000)
    assert learn.renders == before                      # hidden: steps arrive, nothing is drawn
    learn.raise_()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=120_000)
    run_dir = w.session.run_dir
    last = _records(run_dir)[-1]
    qtbot.waitUntil(lambda: learn.shown_step == last["step"] and "test_nll" in learn.shown, timeout=10_000)
    rec = {r["step"]: r for r in _records(run_dir)}[learn.shown_step]
    for name in ("loss", "recon", "kl"):
        assert float(learn.shown[name]) == pytest.approx(rec[name], rel=1e-3, abs=1e-3), name
    assert float(learn.shown["elbo"]) == pytest.approx(-(rec["recon"] + rec["kl"]), rel=1e-3, abs=1e-3)
    assert float(learn.shown["log_px_z"]) == pytest.approx(-rec["recon"], rel=1e-3, abs=1e-3)
    evaluation = _records(run_dir, "eval")[-1]
    assert float(learn.shown["test_nll"]) == pytest.approx(evaluation["test_nll_nats"], rel=1e-3, abs=1e-3)
    page = learn.browser.toPlainText()
    assert "evidence lower bound" in page and f"{learn.shown['elbo']} = {learn.shown['log_px_z']} − " \
                                              f"{learn.shown['kl']}" in page

    learn.tabs.setCurrentWidget(learn.comparison_page)  # measured from this run, in the background
    qtbot.waitUntil(lambda: learn.comparison_page.comparison is not None, timeout=60_000)
    row = {r.family: r for r in learn.comparison_page.comparison.rows}["vae"]
    assert row.run == run_dir.name and row.nll_nats == evaluation["test_nll_nats"] and row.steps_to_sample == 1
    page = learn.comparison_page
    assert page.cell("run", "vae") == run_dir.name and page.cell("likelihood", "vae") == "bound"
    assert float(page.cell("nll", "vae")) == pytest.approx(evaluation["test_nll_nats"], rel=1e-3)
    assert page.cell("steps", "vae") == "1" and page.cell("run", "gan") == "not run yet"


@pytest.fixture
def dock(qtbot):
    from gui.docks.learn_dock import LearnDock
    d = LearnDock()
    qtbot.addWidget(d)
    d.resize(640, 600)
    d.show()
    yield d
    assert d.shutdown()


@pytest.fixture(scope="module")
def digits():
    return load_dataset(DataConfig(name="digits"))


def test_each_family_and_variant_in_both_languages(dock):
    dock.set_family("vae", {})
    assert "evidence lower bound" in dock.browser.toPlainText()
    dock.set_language("zh_CN")
    assert "证据下界" in dock.browser.toPlainText() and "最大似然" in dock.browser.toPlainText()
    dock.set_family("gan", {"loss": "wgan-gp"})
    text = dock.browser.toPlainText()
    assert "WGAN-GP" in text and "非饱和" not in text
    dock.set_model_option("loss", "non-saturating")
    assert "非饱和" in dock.browser.toPlainText()
    dock.set_language("en")
    dock.set_family("diffusion", {"prediction": "eps", "timesteps": 1000})
    text = dock.browser.toPlainText()
    assert "ε-prediction" in text and "v-prediction" not in text and "T = 1,000" in text
    assert "{" not in dock.browser.toHtml().split("<body")[1]   # every marker filled (a dash at worst)
    assert "straight path" not in text
    dock.set_model_option("objective", "flow-matching")
    text = dock.browser.toPlainText()
    assert "straight path" in text and "Heun" in text and "Why few steps suffice" in text
    assert "forward process" not in text.lower() and "v-prediction" not in text and "ε-prediction" not in text
    assert "logit-normal" in text and "t < 1/3" in text and "{" not in dock.browser.toHtml().split("<body")[1]
    dock.set_language("zh_CN")
    text = dock.browser.toPlainText()
    assert "直线路径" in text and "Heun" in text and "前向过程" not in text


def test_the_classifier_page_says_plainly_when_a_model_cannot_classify(dock, digits):
    dock.tabs.setCurrentWidget(dock.classifier_page)
    dock.set_data(DataConfig(name="digits"), digits)
    dock.set_family("gan", {})
    assert "has no likelihood" in dock.classifier_page.result.text()
    dock.set_family("vae", {"conditional": False})
    assert "conditional" in dock.classifier_page.result.text()
    assert not dock.classifier_page.classify_button.isEnabled()
    dock.set_model_option("conditional", True)
    assert "Train this model" in dock.classifier_page.result.text()


def test_a_conditional_model_classifies_the_test_set_in_the_background(dock, qtbot, digits):
    c = config_class("ar")(conditional=True, width=16, layers=1, heads=2)
    torch.manual_seed(0)
    model = build_model("ar", digits.spec, c)
    snapshot = take_snapshot(model, 5)
    dock.set_data(DataConfig(name="digits"), digits)
    dock.set_family("ar", {"conditional": True})
    dock.tabs.setCurrentWidget(dock.classifier_page)
    dock.set_snapshot(snapshot)                          # visible and following: classified at once
    page = dock.classifier_page
    qtbot.waitUntil(lambda: page.classification is not None, timeout=60_000)
    result = page.classification
    expected = classify(snapshot.build_model(), digits.x_test, digits.y_test, digits.y_train)
    np.testing.assert_array_equal(result.predicted, expected.predicted)
    assert result.n == len(digits.x_test) == 359
    assert f"{100 * expected.accuracy:.1f}%" in page.result.text() and "step 5" in page.result.text()
    assert page.tiles == min(len(expected.wrong), 32) > 0
    first = page.grid.itemAt(0).widget().findChildren(type(page.result))[-1].text()
    i = expected.wrong[0]
    assert first == f"{expected.true[i]} → {expected.predicted[i]}"
