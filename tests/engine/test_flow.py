"""The flow family: exact inverses, log-determinants against brute-force Jacobians, a density that
integrates to one, ActNorm's data-dependent start, layer-by-layer trajectories, learning."""

import math

import torch

from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.preprocess import Preprocess
from engine.data.spec import DataSpec
from engine.data.toys import EIGHT_GAUSSIAN_CENTRES, EIGHT_GAUSSIAN_STD
from engine.models.base import Batch
from engine.models.flow import Flow
from engine.models.flow_layers import ActNorm, AffineCoupling, InvertibleLinear, SplineCoupling
from engine.training.loop import BatchSampler

POINTS = DataSpec(kind="points", shape=(2,), value_range=(-math.inf, math.inf))
SMALL_POINTS = dict(layers=4, hidden=32, depth=2, bins=8, bound=3.0)
SMALL_IMAGES = dict(width=16, steps=2)


def _scramble(model, std=0.3):
    """Give zero-initialised output layers random weights, so no layer is the identity."""
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (SplineCoupling, AffineCoupling)):
                last = m.net[-1]
                last.weight.copy_(torch.randn(last.weight.shape, generator=gen) * std)
                last.bias.copy_(torch.randn(last.bias.shape, generator=gen) * std)
    return model


def _points_model(**cfg):
    pre = Preprocess(kind="standardize", mean=(0.5, -1.0), std=(2.0, 0.5))
    return _scramble(Flow(POINTS.to_dict(), dict(SMALL_POINTS, **cfg), pre.to_dict()))


def test_points_decode_inverts_encode():
    model = _points_model().to("cpu")                 # moving a model must keep every layer intact
    x = torch.randn(500, 2) * torch.tensor([3.0, 1.0]) + torch.tensor([0.5, -1.0])
    x[:5] *= 10                                       # some beyond the splines' bound: the identity there
    z = model.encode(x)
    assert z.shape == (500, 2) and not torch.allclose(z, model.to_model(x), atol=1e-2)
    err = (model.decode(z) - x).abs().amax(1)
    assert (err < _round_trip_bound(model, z)).all()


def _round_trip_bound(model, z, ulps: float = 32.0) -> torch.Tensor:
    """What float32 allows for |decode(encode(x)) - x| at each point, from the numerics, not a machine.

    Each layer, there and back, leaves a residual of a few float32 ulps of the values it works on (at
    most 23 ulps measured on random splines, down to slopes of 1e-7; ``ulps`` allows 32), and the
    decoder carries a residual at its input to x through its Jacobian. So a point's bound is
    ``ulps * layers * eps * (|z| + bound) * ||J_decode(z)||``. The splines' own steepness enters
    through the Jacobian, which is why one fixed tolerance passed on one processor and not another."""
    eps = torch.finfo(torch.float32).eps
    zz = z.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        x = model.to_data(model.generate([zz], None))
        rows = [torch.autograd.grad(x[:, k].sum(), zz, retain_graph=True)[0] for k in range(x.shape[1])]
    jac_norm = torch.linalg.matrix_norm(torch.stack(rows, 1), ord=2)    # points are independent
    bound = ulps * len(model.layers) * eps * (z.abs().amax(1) + model.cfg.bound) * jac_norm
    assert float(bound.median()) < 1e-3                                 # the test still means something
    return bound


def test_point_log_det_matches_the_brute_force_jacobian():
    model = _points_model().eval()
    x = torch.randn(20, 2) * 1.5
    with torch.no_grad():
        parts, logdet = model.normalise(x)
    for i in range(len(x)):
        jac = torch.autograd.functional.jacobian(lambda v: model.normalise(v[None])[0][0][0], x[i])
        assert abs(float(torch.slogdet(jac)[1]) - float(logdet[i])) < 1e-4


def test_point_density_integrates_to_one():
    model = _points_model()
    h = 0.05
    axis = torch.arange(-12 + h / 2, 12, h)      # model space +-12 std; data units through the map
    xx, yy = torch.meshgrid(axis, axis, indexing="ij")
    z = torch.stack([xx.flatten(), yy.flatten()], 1)
    x = model.to_data(z)
    cell = h * h * float(model.pre_scale.prod())
    total = sum(float(model.log_likelihood(c).exp().sum()) for c in x.split(65536)) * cell
    assert abs(total - 1.0) < 2e-3


def test_image_layers_log_dets_match_brute_force_jacobians():
    torch.manual_seed(1)
    x = torch.randn(1, 4, 2, 2)
    act = ActNorm(4)
    act.train()
    act(torch.randn(8, 4, 2, 2) * 3 + 1)              # data-dependent initialisation
    layers = [act, InvertibleLinear(4), _scramble(AffineCoupling(4, 8))]
    for layer in layers:
        layer.eval()
        with torch.no_grad():
            y, logdet = layer(x)
            assert torch.allclose(layer.inverse(y), x, atol=1e-5)
        jac = torch.autograd.functional.jacobian(lambda v: layer(v.view(1, 4, 2, 2))[0].flatten(), x.flatten())
        assert abs(float(torch.slogdet(jac.detach())[1]) - float(logdet[0])) < 1e-4, type(layer).__name__


def _digits():
    return load_dataset(DataConfig(name="digits"))


def test_image_decode_inverts_encode_and_the_whole_flow_is_invertible():
    ds = _digits()
    model = _scramble(Flow(ds.spec.to_dict(), SMALL_IMAGES), std=0.1).to("cpu")
    model.configure_optimizers(1e-3)
    model.training_step(Batch(ds.x_train[:64]), torch.Generator().manual_seed(0))
    x = ds.x_test[:32]
    z = model.encode(x)
    assert z.shape == (32, 64)
    assert torch.equal(model.decode(z), x)
    logit = torch.randn(8, 1, 8, 8)
    with torch.no_grad():
        parts, _ = model.normalise(logit)
        assert (model.generate(parts) - logit).abs().max() < 1e-4


def test_actnorm_starts_from_the_first_batch_and_keeps_that_start_in_its_state():
    ds = _digits()
    model = Flow(ds.spec.to_dict(), SMALL_IMAGES)
    model.configure_optimizers(1e-3)
    act = model.levels[0].layers[0]
    assert int(act.initialized) == 0
    model.training_step(Batch(ds.x_train[:128]), torch.Generator().manual_seed(0))
    assert int(act.initialized) == 1
    assert any(k.endswith("initialized") for k in model.state_dict())
    clone = Flow(ds.spec.to_dict(), SMALL_IMAGES)
    clone.load_state_dict(model.state_dict())
    clone.train()
    before = clone.levels[0].layers[0].loc.clone()
    clone.normalise(torch.randn(16, 1, 8, 8) * 5)       # a restored ActNorm never re-initialises
    assert torch.equal(clone.levels[0].layers[0].loc, before)


def test_image_likelihood_is_a_labelled_bound_in_nats_per_image():
    ds = _digits()
    model = Flow(ds.spec.to_dict(), SMALL_IMAGES)
    assert model.likelihood_kind == "bound" and _points_model().likelihood_kind == "exact"
    ll = model.log_likelihood(ds.x_test[:16], generator=torch.Generator().manual_seed(0), samples=2)
    # An untrained flow is near a logistic-like density: far below a uniform 64 * log(17) nats.
    assert ll.shape == (16,) and (ll < 0).all() and (-ll < 64 * math.log(17) * 1.5).all()


def test_point_trajectory_moves_given_points_layer_by_layer():
    model = _points_model()
    grid = torch.stack(torch.meshgrid(torch.linspace(-2, 3, 5), torch.linspace(-2, 0, 5), indexing="ij"), -1)
    grid = grid.reshape(-1, 2)
    gen = torch.Generator().manual_seed(0)
    traj = model.trajectory(0, generator=gen, points=grid)
    assert traj.kind == "flow_layers" and len(traj.frames) == SMALL_POINTS["layers"] + 1
    assert torch.allclose(traj.frames[0], grid, atol=1e-5)
    latent = model.to_model(grid)
    assert torch.allclose(traj.frames[-1], model.decode(latent), atol=1e-5)
    back = model.trajectory(0, generator=gen, inputs=traj.frames[-1], direction="normalize")
    assert torch.allclose(back.frames[-1], grid, atol=1e-4)
    assert back.labels[0] == "data" and back.labels[-1] == "base"


def test_image_trajectory_ends_in_the_sample():
    ds = _digits()
    model = _scramble(Flow(ds.spec.to_dict(), SMALL_IMAGES), std=0.1)
    traj = model.trajectory(3, generator=torch.Generator().manual_seed(4))
    couplings = sum(len(level.layers) // 3 for level in model.levels)
    assert len(traj.frames) == couplings + 2 and traj.labels[-1] == "sample"
    for f in traj.frames:
        assert f.shape == (3, 1, 8, 8) and f.min() >= 0 and f.max() <= 1
    same = model.sample(3, generator=torch.Generator().manual_seed(4))
    assert torch.equal(traj.frames[-1], same)


def test_it_learns_eight_gaussians():
    ds = load_dataset(DataConfig(name="8gaussians", n_train=4000, n_test=1000))
    pre = Preprocess.fit(ds.x_train, "standardize")
    model = Flow(ds.spec.to_dict(), dict(layers=4, hidden=64, depth=2, bins=16), pre.to_dict())
    model.configure_optimizers(3e-3)
    gen = torch.Generator().manual_seed(0)
    sampler = BatchSampler(len(ds.x_train), 128, torch.Generator().manual_seed(0))
    for _ in range(150):
        model.training_step(Batch(ds.x_train[sampler.next()]), gen)
    nll = -float(model.log_likelihood(ds.x_test).mean())
    # The best single Gaussian scores 4.26 nats; the true density 2.84.
    assert nll < 3.2, nll
    s = model.sample(2000, generator=gen)
    d = torch.cdist(s, torch.as_tensor(EIGHT_GAUSSIAN_CENTRES, dtype=torch.float32))
    near, which = d.min(1)
    share = torch.bincount(which[near < 3 * EIGHT_GAUSSIAN_STD], minlength=8).float() / len(s)
    assert (share > 0.05).all(), share


def test_the_1x1_inverse_is_reused_until_a_factor_changes_and_then_follows_it():
    """The explorer decodes one snapshot many times: the inverse matrix is kept without autograd, and
    an optimiser step or a loaded state (both change the factors in place) makes it recomputed."""
    torch.manual_seed(0)
    layer = InvertibleLinear(6)
    with torch.no_grad():
        first = layer.inverse_weight()
        assert layer.inverse_weight() is first                     # kept while nothing changed
    opt = torch.optim.SGD(layer.parameters(), lr=0.1)
    y = torch.randn(5, 6, 3, 3)
    loss = layer(y)[0].square().mean() - layer(y)[1].mean()        # autograd: never the cached matrix
    loss.backward()
    opt.step()
    with torch.no_grad():
        after_step = layer.inverse_weight()
        assert after_step is not first
        torch.testing.assert_close(after_step @ layer.weight(), torch.eye(6), atol=1e-5, rtol=0)
        other = InvertibleLinear(6)
        layer.load_state_dict(other.state_dict())
        torch.testing.assert_close(layer.inverse_weight(), torch.linalg.inv(other.weight()), atol=1e-5, rtol=0)
    with torch.inference_mode():
        x = torch.randn(2, 6, 4, 4)
        torch.testing.assert_close(layer.inverse(layer(x)[0]), x, atol=1e-5, rtol=0)
