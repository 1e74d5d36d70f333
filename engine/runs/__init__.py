"""Run folders: config, metrics, environment, checkpoints and sample history, written atomically."""
