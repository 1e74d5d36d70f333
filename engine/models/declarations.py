"""What a family declares for the window and the presets, beside its capabilities (``engine.models.base``):
how its latent is explored (``LatentView``), how "Inside the model" shows it (``InsideView``), the
sizes of its network a time budget can pick from (``SizeCandidate``), and the frames of a step-through
view it returns (``Trajectory``). Plain dataclasses: reading them builds nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch


@dataclass
class Trajectory:
    """Frames for a step-through view, in data space, with a label per frame."""

    kind: str                          # "diffusion", "flow_layers", "ar_order"
    frames: list[torch.Tensor]
    labels: list[str]
    order: torch.Tensor | None = None  # autoregressive: the order positions were generated in


@dataclass(frozen=True)
class LatentView:
    """How the Latent dock (and its explorer's jobs) treat a family's latent. Read only when the family
    declares the ``latent`` capability."""

    caption: str = ""            # what the latent is, for "Drag on the plane through {caption}" (Family
                                 # context); empty: "the latent"
    symbol: str = "z"            # the sliders' prefix (z1, z2, ... ; a diffusion model's x_T is "x")
    interpolation: str = "slerp"  # default path between two latents: "slerp" for Gaussian latents (they live
                                  # on a shell), "lerp" where codes crowd the origin (a VAE's posterior means)
    first_plane: str = "random"  # the plane first shown through a latent of more than 2 dimensions: "pca"
                                 # (principal components of encoded training data) or "random" directions
    random_plane_through_draw: bool = False  # random planes pass through a prior draw (a typical latent)
                                             # instead of the origin (a GAN's or diffusion model's noise
                                             # has almost no mass near 0)
    grid: int = 8                # k of the k x k manifold picture
    chunk: int = 16              # latents per forward pass in long jobs (grids, embeddings): a newer request
                                 # can only cut a job short between chunks, so a chunk must cost about one
                                 # decode the person waits for (small where a decode is many network passes)
    embed_points: int = 1000     # training examples encoded for the plane (images; points take 5000)
    embed_every_s: float | None = None   # encode them again this often while training (None: once)
    decode_steps: tuple[int, int] | None = None   # ``steps`` option of decode while the pointer moves and once
                                                  # it rests (encode takes the second, the embedding the
                                                  # first); None: decode takes no steps option
    decode_steps_label: str = ""  # the label before the two step counts (Family context)


@dataclass(frozen=True)
class SizeCandidate:
    """One size of a family's network for a kind of data, offered to ``engine.presets``.

    A family lists its candidates from small to large (``GenerativeModel.size_candidates``); the preset
    picks the largest whose ``steps_needed`` fit in the person's time budget at the steps per second
    measured on their machine. ``model`` and ``train`` are partial configs (knob name -> value)."""

    name: str                   # short label shown to the person ("mlp-400", "unet-8")
    model: dict = dataclasses.field(default_factory=dict)
    train: dict = dataclasses.field(default_factory=dict)   # batch_size, lr, ... for this size
    steps_needed: int = 1000    # optimiser steps after which this size's samples are good (measured)


@dataclass(frozen=True)
class InsideView:
    """How "Inside the model" shows a family trained on 2-D points. The heat map is the family's
    log-density when it declares ``log_likelihood``, else its critic's scores when it declares
    ``critic``; posterior ellipses appear when it declares ``posterior``."""

    help: str = ""               # the note under the views: what the heat, lines or dots are (Family context)
    density_options: dict = dataclasses.field(default_factory=dict)  # ``log_likelihood`` options for the
                                 # n x n grid: lighter settings of a dear estimator (fewer samples or steps)
    density_resolution: int = 64  # n of the grid (a dear likelihood gets a coarser one)
    density_needs_grad: bool = False  # the estimator differentiates the network (an ODE's divergence), so
                                      # the job runs with autograd rather than under inference mode
    frames: str | None = None    # frames for the slider, one of ``INSIDE_FRAMES``: "latent_warp" (a grid of
                                 # two latent dimensions through ``decode``), "layer_warp" (a grid of the base
                                 # carried through ``trajectory(0, inputs=grid)``), "particles" (``n`` samples
                                 # carried from noise to data by ``trajectory(n)``); None: no slider
    frame_options: dict = dataclasses.field(default_factory=dict)  # options for that ``trajectory`` call
    knob: str = ""               # a live model knob (a number) the view offers as its own slider: the heat map
                                 # and the held-out NLL of the shown points are computed again on the view's copy
                                 # of the model with the slider's value (a KDE's bandwidth); training is untouched
    score_arrows: bool = False   # draw the learned score, the gradient of the log-density of the data smoothed by
                                 # Gaussian noise, as arrows on a grid of the plane, with a slider for the noise
                                 # level (``score(x, noise=...)``; needs the ``score`` capability)
    steps_chart: bool = False    # chart sample quality against the number of sampler steps for each of the
                                 # model's ``step_samplers`` (energy distance to held-out points), in the background
