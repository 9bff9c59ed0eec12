"""Guard patrol: routes of ordered checkpoints, rounds in time windows, tags mapped to operators."""
