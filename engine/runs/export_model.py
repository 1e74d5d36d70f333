"""Export a run's decoder or generator as ONNX or as a ``torch.export`` program.

What is exported is the family's choice (``GenerativeModel.export_network``): by default the latent
decoded to data units (a VAE's decoder mean, a GAN's generator, a flow's inverse), z (N, *latent) ->
data; a family may export another network (a diffusion model's denoiser (x_t, t) -> prediction, the
sampler being a loop the caller runs), or nothing, with the reason (``export_unavailable``: an
autoregressive model samples by a loop of random token draws, with no deterministic map from noise
to data).

Known limits of the exporters in this torch are declared by the family too (``export_limits``, per
kind of data and format), so an export that fails says why: a flow on points selects coordinates with
boolean masks inside its spline couplings, which neither exporter expresses with a variable batch
(``torch.export`` writes a program it cannot load back); an image flow's 1x1 convolutions invert their
matrix on the fly, and ONNX has no matrix inverse. Every ``.pt2`` written is loaded back and run
against the model before it is kept.

Class-conditional models take a further input, ``labels`` (N,) int64. TorchScript is deprecated in
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
from engine.models.base import ExportUnavailable
from engine.runs.load import load_run_model

FORMATS = ("onnx", "pt2")


def export_limit(model_class, kind: str, fmt: str) -> str:
    """Why ``model_class`` on ``kind`` data cannot be exported as ``fmt`` ("onnx" or "pt2"), from its
    declared ``export_limits`` ("" when nothing is known against it)."""
    limits = getattr(model_class, "export_limits", {})
    return limits.get((kind, fmt)) or limits.get((kind,)) or ""


def _first_line(exc: BaseException) -> str:
    """The exporter's first line, without its terminal colour codes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hint(model, fmt: str) -> str:
    text = export_limit(type(model), model.spec.kind, fmt)
    return f" ({text})" if text else ""


class ModelExportError(GenLabError):
    """This family or model cannot be exported in the asked-for format."""


def export_module(model) -> tuple[nn.Module, tuple, dict, list[str]]:
    """(module, example inputs, dynamic shapes, input names) for the family's exportable part."""
    model.eval()
    try:
        module, inputs = model.export_network()
    except ExportUnavailable as e:
        raise ModelExportError(f"the {model.family} family cannot be exported: {e}") from None
    batch = torch.export.Dim("batch", min=1, max=65536)
    names = list(inputs)
    args = tuple(inputs[name] for name in names)
    shapes = {name: {0: batch} for name in names}
    if model.conditional:
        args, names = args + (torch.zeros(2, dtype=torch.long),), names + ["labels"]
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
