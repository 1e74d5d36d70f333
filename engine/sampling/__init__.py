"""Sampling a trained model by other means than its own sampler (``mcmc``: Metropolis-Hastings and
Langevin dynamics on its density or score)."""
