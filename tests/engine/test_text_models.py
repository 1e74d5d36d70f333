"""Autoregressive models of text: an exact distribution over strings, learning names, completion, the
next-character view, and families that cannot model text refusing it."""

import itertools
import math

import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.spec import DataSpec
from engine.data.text import decode_tokens, encode_lines
from engine.errors import GenLabError
from engine.latent.text import complete_text, line_log_prob, next_char
from engine.models.ar import ARConfig
from engine.models.base import Batch, UnsupportedDataError
from engine.models.registry import build_model, families, model_class

VOCAB = ("a", "b")
SLOTS = 4   # lines of at most 3 characters


def _tiny(network):
    spec = DataSpec(kind="text", shape=(SLOTS,), value_range=(0.0, 2.0), name="tiny", vocab=VOCAB)
    model = build_model("ar", spec, ARConfig(network=network, width=16, layers=2, heads=2, dropout=0.0))
    for p in model.parameters():   # far from the uniform start, so a wrong normalisation would show
        torch.nn.init.normal_(p, std=1.0)
    return model


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("network", ["transformer", "gru"])
def test_probabilities_sum_to_one_over_every_string(network, threads):
    torch.set_num_threads(threads)
    model = _tiny(network)
    lines = ["".join(c) for n in range(SLOTS) for c in itertools.product(VOCAB, repeat=n)]
    assert len(lines) == 15
    ll = model.log_likelihood(encode_lines(lines, VOCAB, SLOTS))
    assert abs(float(torch.logsumexp(ll, 0))) < 1e-5
    # and the next-token view agrees with the chained likelihood: P("ab") = P(a) P(b | a) P(end | ab)
    chain = 0.0
    for i, token in enumerate([1, 2, 0]):
        lp, _ = model.next_token(torch.tensor([[1, 2][:i]], dtype=torch.long).reshape(1, i))
        chain += float(lp[0, token])
    assert abs(chain - float(ll[lines.index("ab")])) < 1e-5


@pytest.mark.parametrize("network", ["transformer", "gru"])
def test_samples_are_strings_the_model_can_write(network):
    model = _tiny(network)
    g = torch.Generator().manual_seed(0)
    x = model.sample(200, generator=g)
    assert x.shape == (200, SLOTS) and (x[:, -1] == 0).all()
    lines = decode_tokens(x, VOCAB)
    assert all(len(s) <= SLOTS - 1 and set(s) <= set(VOCAB) for s in lines)
    # after a row's end token every slot is the end token: the row is exactly its string
    assert torch.equal(x, encode_lines(lines, VOCAB, SLOTS))
    greedy = decode_tokens(model.sample(3, generator=g, top_k=1), VOCAB)
    assert len(set(greedy)) == 1   # top-k 1 is the greedy line, whatever the noise


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("network", ["transformer", "gru"])
def test_it_learns_names_below_the_uniform_baseline(network, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    ds = load_dataset(DataConfig(name="names"))
    model = build_model("ar", ds.spec, ARConfig(network=network, width=32, layers=1, heads=2, dropout=0.0))
    model.configure_optimizers(1e-2)
    g = torch.Generator().manual_seed(0)
    for _ in range(60):   # about 2.45 nats/char by now on any CPU (measured: 2.45 transformer, 2.34 gru at 50)
        idx = torch.randint(0, len(ds.x_train), (32,), generator=g)
        model.training_step(Batch(ds.x_train[idx]), g)
    x = ds.x_test[:500]
    chars = float((torch.tensor([len(s) for s in decode_tokens(x, ds.spec.vocab)]) + 1).sum())
    per_char = float(-model.log_likelihood(x).sum()) / chars
    # uniform over 27 tokens is log 27 = 3.30 nats; the letters' own frequencies alone give about 2.9
    assert per_char < math.log(27) - 0.5


def test_completion_next_char_and_attention():
    ds = load_dataset(DataConfig(name="names"))
    model = build_model("ar", ds.spec, ARConfig(width=32, layers=2, heads=2))
    g = torch.Generator().manual_seed(1)
    done = complete_text(model, "jo", 8, g)
    assert len(done) == 8 and all(c.text.startswith("jo") for c in done)
    assert [c.log_prob for c in done] == sorted((c.log_prob for c in done), reverse=True)
    assert all(abs(c.log_prob - line_log_prob(model, c.text)) < 1e-4 for c in done)
    nxt = next_char(model, "jo", top=27)
    assert len(nxt.chars) == 27 and abs(sum(nxt.probs) - 1) < 1e-5
    assert list(nxt.probs) == sorted(nxt.probs, reverse=True)
    assert nxt.attention is not None and len(nxt.attention) == 3 and abs(sum(nxt.attention) - 1) < 1e-5
    with pytest.raises(GenLabError, match="never occur"):
        complete_text(model, "JO", 2, g)
    with pytest.raises(GenLabError, match="at most 15"):
        complete_text(model, "a" * 16, 2, g)


def test_families_that_cannot_model_text_say_why():
    ds = load_dataset(DataConfig(name="names"))
    refused = [f for f in families() if not model_class(f).data_kind_refusal("text") == ""]
    assert "ar" not in refused and refused
    for family in refused:
        reason = model_class(family).data_kind_refusal("text")
        assert "cannot model text data: " in reason and "\n" not in reason
        cls = model_class(family)
        with pytest.raises(UnsupportedDataError, match="cannot model text"):
            cls(ds.spec.to_dict(), {}, None)


def test_a_checkpoint_spec_of_text_passes_the_trust_check():
    from engine.errors import CheckpointError
    from engine.runs.trust import check_init_args
    spec = DataSpec(kind="text", shape=(16,), value_range=(0.0, 26.0), vocab=tuple("abc")).to_dict()
    check_init_args("ar", {"spec": spec, "config": {}, "preprocess": None}, "ckpt")
    for bad in ({"vocab": ["ab"]}, {"vocab": ["a", "a"]}, {"shape": [10**6]}):
        with pytest.raises(CheckpointError):
            check_init_args("ar", {"spec": {**spec, **bad}, "config": {}, "preprocess": None}, "ckpt")


# ---- the sequence VAE ------------------------------------------------------------------------------------------
def _tiny_vae():
    from engine.models.vae import VAEConfig
    spec = DataSpec(kind="text", shape=(SLOTS,), value_range=(0.0, 2.0), name="tiny", vocab=VOCAB)
    model = build_model("vae", spec, VAEConfig(latent_dim=2, hidden=16, width=8))
    for p in model.parameters():
        torch.nn.init.normal_(p, std=1.0)
    return model


@pytest.mark.parametrize("threads", [1, 2])
def test_the_vae_decoder_is_a_distribution_over_every_string_for_any_z(threads):
    torch.set_num_threads(threads)
    model = _tiny_vae()
    lines = ["".join(c) for n in range(SLOTS) for c in itertools.product(VOCAB, repeat=n)]
    x = encode_lines(lines, VOCAB, SLOTS)
    for z in (torch.zeros(1, 2), torch.tensor([[1.5, -2.0]])):
        with torch.no_grad():
            lp = model.decoder.log_prob(x, z.expand(len(lines), -1))
        assert abs(float(torch.logsumexp(lp, 0))) < 1e-5
    # the importance-weighted bound is at most the log-probability mass there is: sum over strings <= 1
    ll = model.log_likelihood(x, generator=torch.Generator().manual_seed(0), samples=256)
    assert float(torch.logsumexp(ll, 0)) < 1e-6


@pytest.mark.parametrize("threads", [1, 2])
def test_the_vae_learns_names_uses_its_latent_and_decodes_it(threads):
    from engine.models.vae import VAEConfig
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    ds = load_dataset(DataConfig(name="names"))
    model = build_model("vae", ds.spec, VAEConfig(latent_dim=2, hidden=48, width=16, word_dropout=0.3))
    model.configure_optimizers(3e-3)
    g = torch.Generator().manual_seed(0)
    for i in range(80):
        model.progress = i / 300          # the KL warm-up runs over the first 30% of a 300-step run
        idx = torch.randint(0, len(ds.x_train), (32,), generator=g)
        out = model.training_step(Batch(ds.x_train[idx]), g)
    x = ds.x_test[:200]
    chars = float(((x != 0).sum(1) + 1).sum())
    bound = float(-model.log_likelihood(x, generator=g, samples=8).sum()) / chars
    assert bound < math.log(27) - 0.3
    assert float(out["kl"]) > 0.01                      # word dropout keeps the decoder reading z
    z = model.encode(x[:5])
    assert z.shape == (5, 2)
    lines = decode_tokens(model.decode(z), ds.spec.vocab)
    assert all(set(s) <= set(ds.spec.vocab) and len(s) <= 15 for s in lines)
    assert len(decode_tokens(model.sample(20, generator=g), ds.spec.vocab)) == 20
