"""GenLab as an installed package: ``python -m genlab`` and the resources that travel with a wheel.

The program itself lives in ``engine`` (PyTorch, no Qt) and ``gui`` (the window); ``main.py`` is the
entry point. In a wheel, ``resources/`` is installed as ``genlab/resources`` (``pyproject.toml`` maps
it), which ``engine.resources`` finds when the source tree's copy is not there.
"""

from engine import __version__

__all__ = ["__version__"]
