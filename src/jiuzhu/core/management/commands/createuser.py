"""``jiuzhu createuser USERNAME --role ROLE [--area CODE] [--organisation NAME] [--name N]``:
the operator creates a staff account (above all the first security administrator of a new
deployment). The password is asked for twice, or read from standard input with
``--password-stdin``; the person must choose their own at the first sign-in."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import Area, Organisation
from jiuzhu.core.services.accounts import STAFF_ROLES, account_create_by_operator


class Command(BaseCommand):
    help = "Create a staff account from the command line (e.g. the first security administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[str(r) for r in STAFF_ROLES])
        parser.add_argument("--area", help="area code, e.g. 320113 for 栖霞区")
        parser.add_argument("--organisation", help="organisation name")
        parser.add_argument("--name", default="", help="the person's name")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        area = organisation = None
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"no area with code {options['area']!r}")
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"no organisation named {options['organisation']!r}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password again: ") != password:
                raise CommandError("the two passwords differ")
        try:
            user = account_create_by_operator(
                username=str(options["username"]),
                role=str(options["role"]),
                password=password,
                display_name=str(options["name"]),
                area=area,
                organisation=organisation,
            )
        except ValidationFailed as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}"
                for field, messages in error.extra.get("fields", {}).items()
            )
            raise CommandError(problems or error.message) from None
        self.stdout.write(
            f"created {user.username} ({user.get_role_display()}); "
            "they choose their own password at the first sign-in"
        )
