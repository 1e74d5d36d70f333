"""Planes through a latent space and paths between latents (NumPy only)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.latent import plane as planes


def test_move_sets_the_plane_coordinates_and_keeps_the_rest_of_the_latent():
    rng = np.random.default_rng(0)
    p = planes.random_plane(10, rng, origin=rng.standard_normal(10))
    z = rng.standard_normal(10)
    moved = p.move(z, (1.5, -0.25))
    np.testing.assert_allclose(p.coords(moved), [1.5, -0.25], atol=1e-12)
    # the part of z off the plane is untouched
    off = lambda v: (v - p.origin) - p.coords(v) @ p.basis  # noqa: E731
    np.testing.assert_allclose(off(moved), off(z), atol=1e-12)
    np.testing.assert_allclose(p.coords(p.to_latent([[0.3, 0.7]])), [[0.3, 0.7]], atol=1e-12)
    # a grid of moves of one latent
    grid = p.move(z, np.array([[0.0, 0.0], [1.0, 2.0]]))
    np.testing.assert_allclose(p.coords(grid), [[0.0, 0.0], [1.0, 2.0]], atol=1e-12)


def test_two_dimensional_latent_is_its_own_plane():
    p = planes.axes_plane(2)
    z = np.array([0.4, -1.2])
    np.testing.assert_array_equal(p.coords(z), z)
    np.testing.assert_array_equal(p.move(z, (2.0, 3.0)), [2.0, 3.0])


def test_grid_reads_like_an_image_top_row_first():
    g = planes.axes_plane(2).grid((0.0, 4.0), (0.0, 2.0), 2)
    # centres of the 2 x 2 tiling; first row is the top (largest y), left to right
    np.testing.assert_allclose(g, [[1.0, 1.5], [3.0, 1.5], [1.0, 0.5], [3.0, 0.5]])


def test_pca_plane_finds_the_directions_of_largest_variance():
    rng = np.random.default_rng(1)
    d = 6
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    scales = np.array([5.0, 2.0, 0.1, 0.1, 0.1, 0.1])
    z = (rng.standard_normal((3000, d)) * scales) @ q.T + 3.0
    p = planes.pca_plane(z)
    assert abs(abs(p.basis[0] @ q[:, 0]) - 1) < 1e-3 and abs(abs(p.basis[1] @ q[:, 1]) - 1) < 1e-3
    np.testing.assert_allclose(p.basis @ p.basis.T, np.eye(2), atol=1e-9)
    np.testing.assert_allclose(p.origin, z.mean(0))
    assert p.explained[0] > 0.8 > p.explained[1] > 0.1
    with pytest.raises(ValueError):
        planes.pca_plane(z[:1])


def test_plane_through_two_latents_contains_both():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(16), rng.standard_normal(16)
    p = planes.plane_through(a, b)
    np.testing.assert_allclose(p.to_latent(p.coords(a)), a, atol=1e-10)
    np.testing.assert_allclose(p.to_latent(p.coords(b)), b, atol=1e-10)
    assert p.coords(a)[1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("mode", ["lerp", "slerp"])
def test_paths_start_and_end_exactly_at_the_chosen_latents(mode):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((1, 4, 4)), rng.standard_normal((1, 4, 4))
    path = planes.interpolate(a, b, 7, mode)
    assert path.shape == (7, 1, 4, 4)
    np.testing.assert_array_equal(path[0], a)
    np.testing.assert_array_equal(path[-1], b)


def test_slerp_keeps_typical_length_where_lerp_shrinks_it():
    rng = np.random.default_rng(4)
    d = 512
    a, b = rng.standard_normal(d), rng.standard_normal(d)
    mid_s = planes.slerp(a, b, 3)[1]
    mid_l = planes.lerp(a, b, 3)[1]
    typical = np.sqrt(d)
    assert abs(np.linalg.norm(mid_s) - typical) / typical < 0.1
    assert np.linalg.norm(mid_l) < 0.8 * typical          # the straight line cuts through the shell
    with pytest.raises(ValueError):
        planes.interpolate(a, b, 3, "cubic")


def test_view_bounds_cover_the_points_with_a_margin():
    pts = np.array([[0.0, 0.0], [2.0, 1.0]])
    (x0, x1), (y0, y1) = planes.view_bounds(pts)
    assert x0 < 0.0 and x1 > 2.0 and y0 < 0.0 and y1 > 1.0
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert planes.view_bounds(None) == ((-3.0, 3.0), (-3.0, 3.0))
    (x0, x1), _ = planes.view_bounds(np.zeros((5, 2)), min_half=2.0)
    assert (x0, x1) == (-2.0, 2.0)
