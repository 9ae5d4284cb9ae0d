"""The ``jiuzhu`` console script: one entry point for everything a user runs.

Every command is one row of :data:`COMMANDS`; ``jiuzhu --help`` is printed from that table, so a
command cannot exist without being listed. A configuration error (a missing ``SECRET_KEY``, a
malformed ``DATABASE_URL`` …) is answered with one clear line on standard error and exit status
2, never with a Python traceback: the person running the command needs to know which variable to
set, not where in Django it was read.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

CONFIGURATION_ERROR = 2


@dataclass(frozen=True)
class Command:
    name: str
    synopsis: str
    run: Callable[[list[str]], int]


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiuzhu manage", *argv])
    return 0


def _management(name: str) -> Callable[[list[str]], int]:
    """A sub-command that is a Django management command (perhaps under another name)."""
    return lambda argv: _django([name, *argv])


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="jiuzhu serve")
    parser.add_argument("--bind", default=os.environ.get("JIUZHU_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    import django

    django.setup()  # fail here, loudly, on a bad configuration
    os.execvp(  # noqa: S606 - replaces this process with gunicorn
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jiuzhu.wsgi:application",
            "--bind",
            args.bind,
            "--workers",
            str(args.workers),
            "--timeout",
            "120",
        ],
    )
    return 0


def _demo(argv: list[str]) -> int:
    os.environ["JIUZHU_DEMO"] = "1"
    os.environ.setdefault("JIUZHU_SMS_BACKEND", "file")
    return _django(["demo", *argv])


def _keygen(argv: list[str]) -> int:
    print(base64.urlsafe_b64encode(os.urandom(32)).decode("ascii"))
    return 0


def _mpi(argv: list[str]) -> int:
    from jiuzhu.assessment.mpi_cli import run

    return run(argv)


def _rescore(argv: list[str]) -> int:
    rest = ["--framework-version" if arg == "--version" else arg for arg in argv]
    rest = [
        "--framework-version=" + arg.split("=", 1)[1] if arg.startswith("--version=") else arg
        for arg in rest
    ]
    return _django(["rescore", *rest])


COMMANDS: tuple[Command, ...] = (
    Command("demo", "migrate, load demo data once, print demo accounts, serve", _demo),
    Command("serve", "production server (gunicorn) [--bind HOST:PORT] [--workers N]", _serve),
    Command(
        "check",
        "Django system checks (with --deploy: refuses demo mode/accounts)",
        _management("check"),
    ),
    Command("migrate", "apply database migrations", _management("migrate")),
    Command("createuser", "create a staff account", _management("createuser")),
    Command("token", "API tokens: create USER | list USER | revoke PREFIX", _management("token")),
    Command(
        "demo-data",
        "generate demo households [--households N --seed S --reset]",
        _management("demo_data"),
    ),
    Command("demo-accounts", "print (or create) the demo accounts", _management("demo_accounts")),
    Command("mpi", "Alkire–Foster measures from a spreadsheet or Parquet file (no database)", _mpi),
    Command("rescore", "rescore households' newest assessments [--version V]", _rescore),
    Command("worker", "run the periodic jobs [--once]", _management("worker")),
    # Imports and warnings
    Command(
        "import",
        "import a department file: SOURCE FILE [--dry-run] [--valid-rows-only] [--user NAME]",
        _management("import_department"),
    ),
    Command(
        "settle",
        "draft the settlement statements of a period: --period YYYY-MM [--district CODE]",
        _management("settle"),
    ),
    Command(
        "hsds",
        "the service directory in HSDS 3.0 JSON: export DIR | import FILE… --user NAME",
        _management("hsds"),
    ),
    Command("audit", "the audit trail: verify | checkpoint [--out FILE]", _management("audit")),
    Command("timebank", "the time bank: verify (recompute every balance)", _management("timebank")),
    Command(
        "snapshot",
        "take the monthly snapshot of the dashboards' figures [--month YYYY-MM]",
        _management("snapshot"),
    ),
    Command(
        "figures",
        "refresh the dashboards' current figures now [--live-only]",
        _management("figures"),
    ),
    Command("backup", "write a backup of the database [--out FILE]", _management("backup")),
    Command("restore", "restore a backup into an empty database: FILE", _management("restore")),
    Command("keygen", "print a new JIUZHU_FIELD_KEY", _keygen),
    Command(
        "rotate-key",
        "re-encrypt every encrypted field under JIUZHU_FIELD_KEY [--batch-size N]",
        _management("rotate_key"),
    ),
    Command("manage", "any Django management command (jiuzhu manage help)", _django),
)
BY_NAME = {command.name: command for command in COMMANDS}


def usage() -> str:
    width = max(len(command.name) for command in COMMANDS)
    lines = ["usage: jiuzhu COMMAND [ARGS…]", "", "commands:"]
    lines += [f"  {command.name:<{width}}  {command.synopsis}" for command in COMMANDS]
    lines += ["", "jiuzhu COMMAND --help shows a command's own options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    command = BY_NAME.get(argv[0])
    if command is None:
        print(f"jiuzhu: unknown command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    from django.core.exceptions import ImproperlyConfigured

    try:
        return command.run(argv[1:])
    except ImproperlyConfigured as error:
        print(f"jiuzhu: configuration error: {error}", file=sys.stderr)
        return CONFIGURATION_ERROR


if __name__ == "__main__":
    sys.exit(main())
