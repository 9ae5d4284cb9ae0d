"""``jiuzhu token create USERNAME [--name N]`` / ``list USERNAME`` / ``revoke PREFIX``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiuzhu.core.models import ApiToken, User
from jiuzhu.core.services.tokens import token_create, token_expiry, token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="lifetime in days (default JIUZHU_API_TOKEN_DAYS)",
        )
        listing = sub.add_parser("list", help="list a user's tokens (prefixes only)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its 8-character prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        if action == "create":
            user = self._user(options["username"])
            if options["days"] is not None and options["days"] < 1:
                raise CommandError("--days must be at least 1")
            _, raw = token_create(user=user, name=options["name"], days=options["days"])
            self.stdout.write(raw)
            self.stderr.write("Store this token now; it is not shown again.")
        elif action == "list":
            user = self._user(options["username"])
            for token in user.api_tokens.order_by("created_at"):
                expires = token_expiry(token)
                state = (
                    "revoked"
                    if token.revoked_at
                    else "expired"
                    if expires <= timezone.now()
                    else "active"
                )
                self.stdout.write(
                    f"{token.prefix}  {state}  {token.created_at:%Y-%m-%d}  "
                    f"expires {expires:%Y-%m-%d}  {token.name}"
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
