"""The training loop (a generator of events), the thread that drives it, and weight snapshots."""
