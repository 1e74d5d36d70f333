"""What the Learn dock explains, computed without Qt: the terms of each family's formula from a run's
metrics (``live_terms``), the family comparison measured from runs (``comparison``), and a
class-conditional model used as a classifier by Bayes' rule (``classify``)."""
