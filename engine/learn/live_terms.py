"""The numbers that go into each family's formula, from the loss terms a training step reports.

A family's ``training_step`` returns its loss terms (the same values ``metrics.jsonl`` records and
``StepCompleted`` carries, averaged over the log interval). The Learn dock writes each formula with
those values in it, and a few values the formula needs are derived here from them, never estimated
again: the ELBO is minus the sum of the VAE's ``recon`` and ``kl``, the GAN's value V(D, G) is minus the
discriminator's non-saturating loss, a flow's log p(x) is ``log_pz + log_det``. Every derived value is
exact arithmetic on reported values, so what the dock shows always agrees with the run's metrics.

``formula_variant`` names which version of a formula the run uses (the GAN's loss, the diffusion
model's prediction target), read from the run's model settings.
"""

from __future__ import annotations

import math

FAMILIES = ("vae", "gan", "ar", "flow", "diffusion")

# What each family reports and the formula shows; ``derived`` below adds the rest.
REPORTED = {
    "vae": ("loss", "recon", "kl"),
    "gan": ("d_loss", "g_loss", "penalty", "d_real", "d_fake"),   # its "loss" (their sum) is no formula's term
    "ar": ("loss", "nats_per_token"),
    "flow": ("loss", "log_pz", "log_det"),
    "diffusion": ("loss", "loss_low_noise", "loss_mid_noise", "loss_high_noise"),
}


def _get(losses: dict, name: str) -> float | None:
    v = losses.get(name)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return float(v)


def formula_variant(family: str, model_options: dict | None) -> dict[str, str]:
    """Which version of the family's formula the run trains with: ``{"loss": ...}`` for a GAN,
    ``{"prediction": ..., "time_sampling": ...}`` for diffusion (defaults as the family's config)."""
    opts = model_options or {}
    if family == "gan":
        return {"loss": str(opts.get("loss", "non-saturating"))}
    if family == "diffusion":
        return {"prediction": str(opts.get("prediction", "v")),
                "time_sampling": str(opts.get("time_sampling", "log-normal"))}
    return {}


def formula_values(family: str, losses: dict, model_options: dict | None = None) -> dict[str, float]:
    """The reported terms of ``family`` present in ``losses`` plus the ones derived from them.

    VAE: ``elbo`` = -(recon + kl), ``log_px_z`` = -recon, and ``kl_weight`` = (loss - recon) / kl, the
    weight beta x warm-up the loss puts on the KL term now. GAN: ``value`` = V(D, G) = -d_loss
    (non-saturating), else ``critic_gap`` = E D(x) - E D(G(z)) (raw scores). Autoregressive:
    ``log_px`` = -loss. Flow: ``log_px`` = log_pz + log_det. Diffusion: the band terms as reported (they
    sum to ``loss``)."""
    out = {name: v for name in REPORTED.get(family, ("loss",)) if (v := _get(losses, name)) is not None}
    if family == "vae":
        recon, kl, loss = out.get("recon"), out.get("kl"), out.get("loss")
        if recon is not None and kl is not None:
            out["elbo"] = -(recon + kl)
            out["log_px_z"] = -recon
            if loss is not None and kl > 1e-9:
                out["kl_weight"] = (loss - recon) / kl
    elif family == "gan":
        if formula_variant(family, model_options)["loss"] == "non-saturating":
            if "d_loss" in out:
                out["value"] = -out["d_loss"]
        elif "d_real" in out and "d_fake" in out:
            out["critic_gap"] = out["d_real"] - out["d_fake"]
    elif family == "ar":
        if "loss" in out:
            out["log_px"] = -out["loss"]
    elif family == "flow":
        if "log_pz" in out and "log_det" in out:
            out["log_px"] = out["log_pz"] + out["log_det"]
    return out


def diffusion_band_steps(model_options: dict | None) -> tuple[int, int, int]:
    """(first step of the middle band, first step of the high band, T) for the run's noise schedule."""
    # lazy: PyTorch and the diffusion family load only here: the window reads this module before its first paint
    import torch

    from engine.models.diffusion import NOISE_BANDS
    from engine.models.diffusion_process import NoiseSchedule
    opts = model_options or {}
    schedule = NoiseSchedule(str(opts.get("schedule", "linear")), int(opts.get("timesteps", 1000)))
    edges = schedule.step_of_sigma_bar(torch.tensor(NOISE_BANDS, dtype=torch.float64))
    return int(edges[0]), int(edges[1]), schedule.T


def format_value(v: float | None) -> str:
    """A number as the dock prints it: 4 significant figures, plain notation where it reads well."""
    if v is None or not math.isfinite(v):
        return "—"
    a = abs(v)
    if a != 0 and (a < 1e-3 or a >= 1e6):
        return f"{v:.3e}"
    if a >= 1000:
        return f"{v:.1f}"
    if a >= 100:
        return f"{v:.2f}"
    if a >= 10:
        return f"{v:.3f}"
    return f"{v:.4f}"
