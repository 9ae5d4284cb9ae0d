"""Updating one section of bench/RESULTS.md, leaving the others alone."""

from __future__ import annotations

import os
import platform
import re
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


def p95(times: list[float]) -> float:
    """The 95th percentile of ``times``: the nearest rank, no interpolation."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def machine() -> str:
    """nproc, CPU model and RAM, read from the running system, for each benchmark's report."""
    model, ram = "unknown CPU", "RAM unknown"
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
        model = found.group(1).strip() if found else model
        mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        ram = f"{int(mem.group(1)) / 2**20:.1f} GiB RAM" if mem else ram
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}, {ram}, Python {platform.python_version()}"


def load_note(*, own_load: bool = False) -> str:
    """What else ran, as the load average says at the end of a run (instead of a sentence
    written once for one machine and printed ever after). ``own_load``: the benchmark loads
    the machine itself (a server and its clients), so a high figure is its own."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if own_load:
        return (
            f"Load average {load:.1f} on {cores} CPUs at the end, the benchmark's own server "
            "and clients included."
        )
    shared = (
        "other work shared the machine: absolute figures are inflated; the ratios measured in "
        "the same run are the comparable figures"
        if load > cores
        else "no other work of note"
    )
    return f"Load average {load:.1f} on {cores} CPUs at the end ({shared})."
