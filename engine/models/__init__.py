"""The model families (one module each), the protocol they follow (``base``) and the registry.

A regular package, not a namespace one, so import graphs (grimp, import-linter: see the contracts in
``pyproject.toml``) see its modules. It imports nothing: ``engine.models.registry`` is read by
``genlab --help`` and the window before PyTorch loads, and a family loads only when it is asked for.
"""
