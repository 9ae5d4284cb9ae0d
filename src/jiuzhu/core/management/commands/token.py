"""``jiuzhu token create USERNAME [--name N]`` / ``list USERNAME`` / ``revoke PREFIX``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.models import ApiToken, User
from jiuzhu.core.services.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = sub.add_parser("list", help="list a user's tokens (prefixes only)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its 8-character prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        if action == "create":
            user = self._user(options["username"])
            _, raw = token_create(user=user, name=options["name"])
            self.stdout.write(raw)
            self.stderr.write("Store this token now; it is not shown again.")
        elif action == "list":
            user = self._user(options["username"])
            for token in user.api_tokens.order_by("created_at"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}  {state}  {token.created_at:%Y-%m-%d}  {token.name}"
                )
        else:
            tokens = list(ApiToken.objects.filter(prefix=options["prefix"], revoked_at=None))
            if len(tokens) != 1:
                raise CommandError(f"no single active token starts with {options['prefix']!r}")
            token_revoke(token=tokens[0])
            self.stdout.write(f"revoked {tokens[0].prefix}")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {username!r}") from None
