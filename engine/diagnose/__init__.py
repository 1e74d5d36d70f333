"""Should you believe the samples? Detectors of copying, collapse and training trouble.

``engine.diagnose.detectors.diagnose(model, dataset, records)`` runs every detector that applies to
the model's family (asked through its declared capabilities, never its name) and its data, and
returns ``Finding``s: what each saw, alarm or not, the evidence and one thing to try.
``live_findings`` is the cheap subset the training loop runs at evaluation moments.
``engine.runs.diagnose`` opens a run folder and calls them; ``genlab diagnose`` prints the result.
"""
