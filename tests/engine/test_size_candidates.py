"""Every network size a family offers the presets keeps the family's contract: finite losses, gradients
reaching every parameter, samples in data space, a state-dict round trip, and a finite likelihood of the
declared kind. And the PixelCNN's causal masks and its cached sampling are exact."""

import math

import pytest
import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.spec import DataSpec
from engine.models.base import Batch
from engine.models.registry import build_model, config_class, model_class, model_from_init_args

FAMILIES = ("vae", "gan", "ar", "flow", "diffusion")
_DIGITS = []


def digits():
    if not _DIGITS:
        _DIGITS.append(load_dataset(DataConfig(name="digits")))
    return _DIGITS[0]


# every size unconditional (what the presets train), the smallest of each family also class-conditional
CASES = [(f, c.name, cond) for f in FAMILIES for i, c in enumerate(model_class(f).size_candidates(digits().spec))
         for cond in ((False, True) if i == 0 else (False,))]


@pytest.mark.parametrize("family,size,conditional", CASES)
def test_every_size_keeps_the_contract(family, size, conditional):
    ds = digits()
    cand = next(c for c in model_class(family).size_candidates(ds.spec) if c.name == size)
    cfg = config_class(family)(**cand.model)
    cfg.conditional = conditional
    model = build_model(family, ds.spec, cfg)
    model.configure_optimizers(1e-3)
    gen = torch.Generator().manual_seed(0)
    batch = Batch(ds.x_train[:16], ds.y_train[:16])
    seen = set()
    for _ in range(3):
        losses = model.training_step(batch, gen)
        assert all(math.isfinite(float(v)) for v in losses.values()), losses
        seen |= {n for n, p in model.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    missing = [n for n, p in model.named_parameters() if p.requires_grad and n not in seen]
    assert not missing, f"no gradient reached {missing}"
    x = model.sample(3, generator=torch.Generator().manual_seed(1))
    assert x.shape == (3, 1, 8, 8) and x.min() >= 0 and x.max() <= 1
    clone = model_from_init_args(model.family, model.init_args)
    clone.load_state_dict(model.state_dict())
    assert torch.allclose(clone.sample(3, generator=torch.Generator().manual_seed(2)),
                          model.sample(3, generator=torch.Generator().manual_seed(2)), atol=1e-5)
    if model.has("log_likelihood"):
        ll = model.log_likelihood(ds.x_test[:4], labels=ds.y_test[:4], generator=gen)
        assert torch.isfinite(ll).all() and model.likelihood_kind in ("exact", "bound")


@pytest.mark.parametrize("stacks", [1, 2])
@pytest.mark.parametrize("shape,layers,max_dilation", [((1, 14, 14), 2, 1), ((3, 12, 12), 2, 1),
                                                       ((3, 14, 14), 2, 2), ((1, 24, 24), 4, 4)])
def test_pixelcnn_sees_only_earlier_subpixels_and_its_cached_sampler_gives_the_full_logits(shape, layers,
                                                                                          max_dilation, stacks):
    spec = DataSpec(kind="image", shape=shape, value_range=(0.0, 1.0), levels=4, num_classes=3).to_dict()
    model = model_class("ar")(spec, {"image_net": "pixelcnn", "width": 12, "layers": layers, "conditional": True,
                                     "max_dilation": max_dilation, "stacks": stacks})
    model.eval()
    gen = torch.Generator().manual_seed(0)
    t = torch.randint(0, 4, (2, model.dims), generator=gen)
    labels = torch.tensor([0, 2])
    with torch.no_grad():
        full = model.logits(t, labels)
        for i in range(model.dims):
            changed = t.clone()
            changed[:, i:] = (changed[:, i:] + 1) % 4          # every token from i on
            assert torch.allclose(model.logits(changed, labels)[:, :i + 1], full[:, :i + 1], atol=1e-5), i
    # the sampler evaluates the network at one pixel on cached activations: fed the same tokens in order,
    # it sees the full pass's logits. In float64 the two differ only by the order of their sums.
    _assert_cached_sampler_sees_the_full_logits(model.head.double(), shape, t, labels, model.vocab)


def _assert_cached_sampler_sees_the_full_logits(net, shape, t, labels, vocab, outputs=None):
    """``outputs`` per sub-pixel: the ``vocab`` logits, or a mixture's parameters."""
    from engine.models.pixelcnn_sampler import draw_in_order
    ch, h, w = shape
    k = outputs or vocab
    x = t.view(len(t), h, w, ch).permute(0, 3, 1, 2).double() * (2.0 / (vocab - 1)) - 1.0
    with torch.no_grad():
        full = net(x, labels).view(len(t), ch, k, h, w).permute(0, 3, 4, 1, 2).reshape(len(t), -1, k)
        seen = {}

        def choose(i, logits):
            seen[i] = logits
            return t[:, i]
        draw_in_order(net, len(t), h, w, labels, choose, lambda tok: tok.double() * (2.0 / (vocab - 1)) - 1.0)
    assert sorted(seen) == list(range(t.shape[1]))
    for i, logits in seen.items():
        assert torch.allclose(logits.double(), full[:, i], rtol=0, atol=1e-10), i


@pytest.mark.parametrize("stacks", [1, 2])
def test_pixelcnn_cached_sampler_keeps_prefilled_tokens_and_draws_the_rest(stacks):
    """Completion: tokens before ``prefill`` are kept without a read-out; the rest are drawn; the same seed
    draws the same image."""
    spec = DataSpec(kind="image", shape=(3, 6, 6), value_range=(0.0, 1.0), levels=4).to_dict()
    model = model_class("ar")(spec, {"image_net": "pixelcnn", "width": 8, "layers": 2, "max_dilation": 2,
                                     "stacks": stacks})
    model.eval()
    given = torch.randint(0, 4, (2, model.dims), generator=torch.Generator().manual_seed(1))
    known = torch.zeros(2, model.dims, dtype=torch.bool)
    known[:, :40] = True
    with torch.no_grad():
        a = model._generate(2, torch.Generator().manual_seed(3), None, 1.0, 0, given, known)
        b = model._generate(2, torch.Generator().manual_seed(3), None, 1.0, 0, given, known)
    assert torch.equal(a[:, :40], given[:, :40]) and torch.equal(a, b)
    assert not torch.equal(a[:, 40:], given[:, 40:])


def _pixels_seen(stacks: int, row: int, col: int) -> set[tuple[int, int]]:
    """The pixels whose value changes the logits of pixel (row, col) of a 12x12 two-block PixelCNN."""
    spec = DataSpec(kind="image", shape=(1, 12, 12), value_range=(0.0, 1.0), levels=4).to_dict()
    model = model_class("ar")(spec, {"image_net": "pixelcnn", "width": 8, "layers": 2, "stacks": stacks})
    model.eval()
    t = torch.randint(0, 4, (1, model.dims), generator=torch.Generator().manual_seed(0))
    seen = set()
    with torch.no_grad():
        base = model.logits(t)[0, row * 12 + col]
        for j in range(row * 12 + col):
            changed = t.clone()
            changed[0, j] = (changed[0, j] + 2) % 4
            if (model.logits(changed)[0, row * 12 + col] - base).abs().max() > 0:
                seen.add(divmod(j, 12))
    return seen


def test_two_stacks_see_the_pixels_above_and_right_that_one_stack_misses():
    """The single stack's blind spot: a pixel one row up and four columns right is never read, however
    near. The two stacks read every pixel in the two rows above within four columns, and the four pixels
    to the left."""
    near = {(r, c) for r in (6, 7) for c in range(0, 9)} | {(8, c) for c in range(0, 4)}
    assert (7, 8) not in _pixels_seen(1, 8, 4)
    assert near <= _pixels_seen(2, 8, 4)


def test_pixelcnn_block_dilations_double_up_to_the_maximum_then_start_again():
    from engine.models.pixelcnn import block_dilations
    assert block_dilations(4, 8) == [1, 2, 4, 8]
    assert block_dilations(6, 8) == [1, 2, 4, 8, 1, 2]
    assert block_dilations(4, 5) == [1, 2, 4, 1]            # rounded down to a power of two
    assert block_dilations(3, 1) == [1, 1, 1]
