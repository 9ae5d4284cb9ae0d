"""Updating one section of bench/RESULTS.md, leaving the others alone."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, heading: str, report: str) -> None:
    """Replace the section that starts with ``heading`` (a "## …" line) or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    start = text.find(heading)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + report.rstrip("\n") + "\n"
    else:
        following = text.find("\n## ", start + len(heading))
        rest = "" if following < 0 else "\n" + text[following:].lstrip("\n")
        text = text[:start] + report.rstrip("\n") + "\n" + rest
    path.write_text(text, encoding="utf-8")
