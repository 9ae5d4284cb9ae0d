"""The ``jiuzhu`` console script: one entry point for everything a user runs.

jiuzhu demo                 migrate, load demo data once, print demo accounts, serve
jiuzhu serve                production server (gunicorn)
jiuzhu check [--deploy]     Django system checks (with --deploy: refuses demo mode/accounts)
jiuzhu token create USER    API tokens (also: list, revoke)
jiuzhu demo-data ...        generate demo households
jiuzhu mpi DATA ...         Alkire–Foster measures from a spreadsheet (no database needed)
jiuzhu keygen               print a new JIUZHU_FIELD_KEY
jiuzhu manage ...           any Django management command
"""

from __future__ import annotations

import base64
import os
import sys

#: Sub-commands that are Django management commands under another name.
MANAGEMENT_ALIASES = {
    "check": "check",
    "token": "token",
    "demo-data": "demo_data",
    "demo-accounts": "demo_accounts",
    "migrate": "migrate",
    "createuser": "createuser",
}

USAGE = __doc__ or ""


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiuzhu manage", *argv])
    return 0


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
            "--access-logfile",
            "-",
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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "mpi":
        from jiuzhu.assessment.mpi_cli import run

        return run(rest)
    if command == "keygen":
        return _keygen(rest)
    if command == "serve":
        return _serve(rest)
    if command == "demo":
        return _demo(rest)
    if command == "manage":
        return _django(rest)
    if command in MANAGEMENT_ALIASES:
        return _django([MANAGEMENT_ALIASES[command], *rest])
    if command == "rescore":
        rest = ["--framework-version" if arg == "--version" else arg for arg in rest]
        rest = [
            "--framework-version=" + arg.split("=", 1)[1] if arg.startswith("--version=") else arg
            for arg in rest
        ]
        return _django(["rescore", *rest])
    if command == "worker":
        return _django([command, *rest])
    print(f"jiuzhu: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
