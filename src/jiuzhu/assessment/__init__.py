"""Household assessment: the six-dimension hardship index and its Alkire–Foster scoring."""
