"""GenLab as an installed package: ``python -m genlab``, the resources that travel with a wheel, and the
Python API for notebooks (``genlab.api``):

    import genlab
    run = genlab.train(data="moons", model="vae", seconds=10)
    x = genlab.sample(run, 64)
    genlab.evaluate(run)

The program itself lives in ``engine`` (PyTorch, no Qt) and ``gui`` (the window); ``main.py`` is the
entry point. In a wheel, ``resources/`` is installed as ``genlab/resources`` (``pyproject.toml`` maps
it), which ``engine.resources`` finds when the source tree's copy is not there. ``import genlab`` loads
no PyTorch (``genlab --help`` stays instant): each function below imports the engine when called.
"""

from engine import __version__

__all__ = ["__version__", "train", "sample", "evaluate", "diagnose", "open_run"]


def train(data: str = "moons", model: str | None = None, seconds: float | None = None, steps: int | None = None,
          out=None, seed: int = 0, settings: dict | None = None):
    """Train a new run; returns a ``genlab.api.Run`` (its folder, config, final metrics)."""
    # lazy: PyTorch stays out of ``import genlab`` and ``genlab --help``
    from genlab import api
    return api.train(data=data, model=model, seconds=seconds, steps=steps, out=out, seed=seed, settings=settings)


def sample(run, n: int = 64, seed: int = 0, label: int | None = None):
    """``n`` samples of a run (a ``Run`` or a run folder) as a float32 NumPy array in data units."""
    # lazy: PyTorch stays out of ``import genlab`` and ``genlab --help``
    from genlab import api
    return api.sample(run, n=n, seed=seed, label=label)


def evaluate(run, limit: int = 1000, seed: int = 0) -> dict:
    """Held-out negative log-likelihood of a run's newest checkpoint."""
    # lazy: PyTorch stays out of ``import genlab`` and ``genlab --help``
    from genlab import api
    return api.evaluate(run, limit=limit, seed=seed)


def diagnose(run, n: int | None = None, seed: int = 0) -> dict:
    """Copying, collapse and training trouble of a run, as ``genlab diagnose --json`` prints it."""
    # lazy: PyTorch stays out of ``import genlab`` and ``genlab --help``
    from genlab import api
    return api.diagnose(run, n=n, seed=seed)


def open_run(path):
    """An existing run folder as a ``genlab.api.Run``."""
    # lazy: PyTorch stays out of ``import genlab`` and ``genlab --help``
    from genlab import api
    return api.open_run(path)
