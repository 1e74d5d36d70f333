"""The networks ``genlab export`` writes by default: modules of plain tensor operations around a family's
own decoding, which ``torch.export`` and the ONNX exporter can trace (``GenerativeModel.export_network``).
"""

from __future__ import annotations

from torch import nn


class LatentToData(nn.Module):
    """z (and labels) -> data, through the family's own ``_decode`` and the run's preprocessing: what
    ``export_network`` exports by default (a VAE's decoder mean, a GAN's generator, a flow's inverse)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, z, labels=None):
        m = self.model
        return m.to_data(m._decode(z, labels)).float()
