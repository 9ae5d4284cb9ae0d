"""Helpers for the tests of applications and screening."""

from __future__ import annotations

CRITERIA = [
    "size",
    "professional_staff",
    "signature_projects",
    "qualifications",
    "past_performance",
]


def scores(*values: int) -> dict[str, tuple[int, str]]:
    """A review's scores in the scorecard's order, each with a reason."""
    return {code: (value, f"理由 {value}") for code, value in zip(CRITERIA, values, strict=True)}
