"""python manage.py create_api_token USERNAME [--expiry-days N]: print a new API token.

Only the key goes to stdout, so that ``TOKEN=$(python manage.py create_api_token
editor)`` works; what it is for and when it expires go to stderr. The key is
stored hashed and cannot be shown again.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.tokens import TokenError, token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--expiry-days",
            type=int,
            default=None,
            help="days until the token expires (default: API_TOKEN_TTL_DAYS, 90)",
        )

    def handle(self, *args, username: str, expiry_days: int | None, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        if expiry_days is not None and expiry_days < 1:
            raise CommandError("--expiry-days must be at least 1")
        expiry = timedelta(days=expiry_days) if expiry_days else None
        try:
            token, key = token_create(user=user, expiry=expiry)
        except TokenError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
        until = token.expiry.isoformat(timespec="minutes") if token.expiry else "never"
        self.stderr.write(f"token {token.token_key} for {username}, expires {until}")
