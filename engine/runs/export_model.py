"""Export a run's decoder or generator as ONNX or as a ``torch.export`` program.

What each family exports, as a function of plain tensors in data units:

- ``vae``: the decoder, latent z (N, latent_dim) -> the decoder's mean in data units (images: the
  grid-valued mean over grey levels in [0, 1]);
- ``gan``: the generator (its moving average, which samples use), z (N, latent_dim) -> samples;
- ``flow``: the inverse, base noise z (N, D) -> samples (the exact inverse of ``encode``);
- ``diffusion``: the denoising network (x_t, t) -> its prediction (``eps`` or ``v``, as trained),
  t a float time in (0, 1]; the sampler is a loop over it that the caller runs (the chain's length
  and schedule are choices, not weights);
- ``ar``: not exported. Its samples come from a loop of random token draws, one per position, with
  nothing deterministic from noise to data to export, and the step that could be exported (logits of
  the next token) is only useful with that loop around it.

Known limits of the exporters in this torch (an export that fails says so, with the reason below):
a flow on points selects coordinates with boolean masks inside its spline couplings, which neither
exporter expresses with a variable batch (``torch.export`` writes a program it cannot load back); an
image flow's 1x1 convolutions invert their matrix on the fly, and ONNX has no matrix inverse, so an
image flow exports with ``torch.export`` only. Every ``.pt2`` written is loaded back and run against
the model before it is kept.

Class-conditional models take a second input, ``labels`` (N,) int64. TorchScript is deprecated in
this torch, so ``torch.export`` (``.pt2``) is the PyTorch format; ONNX goes through the dynamo
exporter (``onnxscript``) with a dynamic batch size.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from engine.errors import GenLabError
from engine.runs.load import load_run_model

EXPORTS = {"vae": "decoder", "gan": "generator", "flow": "inverse", "diffusion": "denoiser"}
NOT_EXPORTABLE = {
    "ar": "the autoregressive family samples by a loop of random token draws; there is no deterministic "
          "map from noise to data to export",
}


HINTS = {
    ("flow", "points"): "the spline couplings select coordinates with boolean masks, which the exporters "
                        "cannot express for a variable batch",
    ("flow", "image", "onnx"): "the 1x1 convolutions invert their matrix on the fly and ONNX has no matrix "
                               "inverse; export it with --what torch-export",
}


def _first_line(exc: BaseException) -> str:
    """The exporter's first line, without its terminal colour codes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hint(model, fmt: str) -> str:
    text = HINTS.get((model.family, model.spec.kind, fmt)) or HINTS.get((model.family, model.spec.kind))
    return f" ({text})" if text else ""


class ModelExportError(GenLabError):
    """This family or model cannot be exported in the asked-for format."""


class LatentToData(nn.Module):
    """z (and labels) -> data, through the family's own ``_decode`` and the run's preprocessing."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, z, labels=None):
        m = self.model
        return m.to_data(m._decode(z, labels)).float()


class Denoiser(nn.Module):
    """(x_t, t) -> the diffusion network's prediction, from the EMA weights samples use."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x_t, t, labels=None):
        return self.model.ema.shadow(x_t, t, labels).float()


def export_module(model) -> tuple[nn.Module, tuple, dict, list[str]]:
    """(module, example inputs, dynamic shapes, input names) for the family's exportable part."""
    family = model.family
    if family in NOT_EXPORTABLE:
        raise ModelExportError(f"the {family} family cannot be exported: {NOT_EXPORTABLE[family]}")
    if family not in EXPORTS:
        raise ModelExportError(f"no export is defined for the {family} family")
    model.eval()
    batch = torch.export.Dim("batch", min=1, max=65536)
    labels = torch.zeros(2, dtype=torch.long) if model.conditional else None
    if family == "diffusion":
        x = torch.randn(2, *model.spec.shape)
        t = torch.full((2,), 0.5)
        args, names = (x, t), ["x_t", "t"]
        shapes = {"x_t": {0: batch}, "t": {0: batch}}
        module = Denoiser(model)
    else:
        z = torch.randn(2, *model.latent_shape())
        args, names = (z,), ["z"]
        shapes = {"z": {0: batch}}
        module = LatentToData(model)
    if labels is not None:
        args, names = args + (labels,), names + ["labels"]
        shapes["labels"] = {0: batch}
    return module.eval(), args, shapes, names


def _load(run_dir):
    _, model, ckpt = load_run_model(run_dir, "cpu")
    return model, ckpt


def export_onnx(run_dir: str | Path, out: str | Path) -> Path:
    """Write the run's decoder/generator (see the module's docstring) as an ONNX file."""
    out = _out(out, ".onnx")
    model, _ = _load(run_dir)
    module, args, shapes, names = export_module(model)
    try:
        # lazy: onnxscript is optional (the test extra): only ONNX export needs it, and says so if it is missing
        import onnxscript  # noqa: F401  (the exporter needs it; say so plainly if it is missing)
    except ImportError:
        raise ModelExportError("ONNX export needs the 'onnx' and 'onnxscript' packages: "
                               "pip install onnx onnxscript") from None
    with _quiet(), _four_dim_attention(), torch.no_grad():
        try:
            program = torch.onnx.export(module, args, dynamo=True, input_names=names, output_names=["x"],
                                        dynamic_shapes=shapes, external_data=False, verbose=False)
        except Exception as e:
            raise ModelExportError(f"the {model.family} model could not be exported to ONNX{_hint(model, 'onnx')}: "
                                   f"{type(e).__name__}: {_first_line(e)[:300]}") from None
        program.save(str(out))
    return out


def export_program(run_dir: str | Path, out: str | Path) -> Path:
    """Write the run's decoder/generator as a ``torch.export`` program (``.pt2``)."""
    out = _out(out, ".pt2")
    model, _ = _load(run_dir)
    module, args, shapes, names = export_module(model)
    with _quiet(), torch.no_grad():
        try:
            program = torch.export.export(module, args, dynamic_shapes=shapes)
        except Exception as e:
            raise ModelExportError(f"the {model.family} model could not be exported with torch.export"
                                   f"{_hint(model, 'pt2')}: {type(e).__name__}: {_first_line(e)[:300]}"
                                   ) from None
        torch.export.save(program, str(out))
        try:  # a program that cannot be loaded back is no export: check ours before keeping it
            reloaded = torch.export.load(str(out))
            probe = tuple(torch.cat([a, a[:1]]) for a in args)  # another batch size than traced
            torch.testing.assert_close(reloaded.module()(*probe), module(*probe), rtol=1e-4, atol=1e-4)
        except Exception as e:
            out.unlink(missing_ok=True)
            raise ModelExportError(f"the {model.family} model's torch.export program does not load back or "
                                   f"run{_hint(model, 'pt2')}: {type(e).__name__}: {_first_line(e)[:200]}"
                                   ) from None
    return out


@contextlib.contextmanager
def _quiet():
    """The exporters print progress on stdout (the CLI keeps stdout for results, so it goes to stderr)
    and log warnings about optional packages (torchvision) that do not concern GenLab."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch._export", "torch.export")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(sys.stderr or io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


@contextlib.contextmanager
def _four_dim_attention():
    """ONNX's attention translation takes only (batch, heads, length, dim) inputs; the U-Net calls
    attention with one head as (batch, length, dim). The same computation with a heads axis of one,
    while exporting only (numerically identical, so another thread calling it meanwhile is unaffected)."""
    original = F.scaled_dot_product_attention

    def attention(q, k, v, *args, **kwargs):
        if q.dim() == 3:
            return original(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1), *args, **kwargs).squeeze(1)
        return original(q, k, v, *args, **kwargs)

    F.scaled_dot_product_attention = attention
    try:
        yield
    finally:
        F.scaled_dot_product_attention = original


def _out(out, suffix: str) -> Path:
    path = Path(out)
    if path.suffix.lower() != suffix:
        raise ModelExportError(f"{path}: the file name must end in {suffix}")
    if not path.parent.exists():
        raise ModelExportError(f"{path.parent}: folder does not exist")
    return path
