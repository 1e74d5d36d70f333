"""The latent session: the explorer's state and rules without Qt (engine.latent.session)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from engine.latent import plane as planes
from engine.latent.session import MAX_EMBED_POINTS, LatentSession
from engine.models.base import LatentView


def spec(kind="image"):
    return SimpleNamespace(kind=kind)


def session(d=6, encode=True, first_plane="pca", kind="image", n=40):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 1, 4, 4)).astype(np.float32)
    y = rng.integers(0, 3, n)
    s = LatentSession(LatentView(first_plane=first_plane), spec(kind), x, y)
    s.set_model({"latent": True, "latent_shape": (d,), "encode": encode})
    return s


def embedding(latents, with_plane=True):
    plane = planes.pca_plane(latents) if with_plane else None
    return SimpleNamespace(latents=latents, labels=np.zeros(len(latents), int), plane=plane)


def test_the_first_plane_follows_the_family_and_the_model():
    assert session(d=2).default_plane_mode() == "axes"
    assert session(d=6).default_plane_mode() == "pca"
    assert session(d=6, encode=False).default_plane_mode() == "random"
    assert session(d=6, first_plane="random").default_plane_mode() == "random"
    assert "pca" not in session(encode=False).plane_modes()


def test_the_principal_plane_waits_for_the_embedding_then_is_built_from_it():
    s = session()
    choice = s.choose_plane("pca")
    assert (choice.shown, choice.reason, s.plane.name) == ("pca", "embedding", "axes")
    latents = np.random.default_rng(2).standard_normal((50, 6)) * np.array([5, 3, 1, 1, 1, 1])
    assert s.set_embedding(embedding(latents), asked_mode="pca", refit=False)
    s.choose_plane("pca")
    assert s.plane.name == "pca"
    # a later embedding on the same plane does not rebuild it unless a refit was asked for
    assert not s.set_embedding(embedding(latents), asked_mode="pca", refit=False)
    assert s.set_embedding(embedding(latents), asked_mode="pca", refit=True)
    assert not s.set_embedding(embedding(latents), asked_mode="random", refit=True)


def test_the_plane_through_the_ends_needs_both_ends():
    s = session()
    s.choose_plane("axes")
    choice = s.choose_plane("samples")
    assert (choice.shown, choice.reason) == ("axes", "ends")
    s.mark_end("A", np.ones(6))
    s.mark_end("B", -np.ones(6))
    choice = s.choose_plane("samples")
    assert (choice.shown, choice.reason, s.plane.name) == ("samples", None, "samples")
    markers = s.markers()
    assert markers["E"] is None
    # both ends lie on the plane through them: their coordinates reproduce them exactly
    for name in ("A", "B"):
        np.testing.assert_allclose(s.plane.to_latent(markers[name]), s.ends[name], atol=1e-12)


def test_moving_the_handle_keeps_the_latent_off_the_plane():
    s = session()
    s.choose_plane("random")
    s.set_encoded(np.arange(6.0))
    off_plane = s.z - s.plane.to_latent(s.plane.coords(s.z))
    s.move_handle(1.5, -2.0)
    assert s.handle() == pytest.approx((1.5, -2.0), abs=1e-12)
    np.testing.assert_allclose(s.z - s.plane.to_latent(s.plane.coords(s.z)), off_plane, atol=1e-12)
    assert s.set_dim(3, 7.0) and s.z[3] == 7.0
    assert not s.set_dim(6, 1.0)


def test_the_manifold_is_the_handle_moved_over_the_region():
    s = session()
    s.choose_plane("axes")
    s.set_encoded(np.full(6, 0.5))
    grid = s.grid_latents((-1, 1), (-1, 1), 3)
    assert grid.shape == (9, 6)
    np.testing.assert_allclose(grid[:, 2:], 0.5)     # off the axes plane, every tile keeps the handle's latent
    assert grid[0, 1] > grid[-1, 1]                   # the first row is the top of the region


def test_the_region_fits_the_data_on_data_planes_and_the_handle_elsewhere():
    s = session()
    s.choose_plane("axes")
    assert s.fitted_region() == ((-3.0, 3.0), (-3.0, 3.0))
    latents = np.random.default_rng(3).standard_normal((200, 6)) * 10
    s.set_embedding(embedding(latents), asked_mode="axes", refit=False)
    (x0, x1), (y0, y1) = s.fitted_region()
    assert x1 - x0 > 20 and y1 - y0 > 20
    s.choose_plane("random")
    assert not s.follows_data()
    a, b = s.handle()
    assert s.fitted_region() == ((a - 3.0, a + 3.0), (b - 3.0, b + 3.0))


def test_what_is_encoded_for_the_plane():
    assert session(encode=False).embed_request() is None
    ask = session(kind="image").embed_request()
    assert ask.max_points == LatentView().embed_points and len(ask.x) == 40 and len(ask.y) == 40
    assert session(kind="points").embed_request().max_points == MAX_EMBED_POINTS
    x, y = session().training_example(3)
    assert x.shape == (1, 1, 4, 4) and y.shape == (1,)
    assert LatentSession(LatentView()).training_example(0) is None
