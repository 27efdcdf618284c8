"""python manage.py create_demo_users: the demo accounts editor, checker and viewer.

The password comes from DEMO_PASSWORD, or is generated and printed. Running it
again keeps existing accounts' passwords (and so their API tokens) unless
DEMO_PASSWORD gives another one or --reset is given; their roles are always set.
A given password must pass Django's password validators (AUTH_PASSWORD_VALIDATORS);
the command refuses to run in production (DJANGO_ENV=production), where accounts
are made in the admin or with createsuperuser.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.roles import EDITOR, FACT_CHECKER, VIEWER

DEMO_USERS = {"editor": EDITOR, "checker": FACT_CHECKER, "viewer": VIEWER}


class Command(BaseCommand):
    help = "Create (or reset) the demo users editor, checker and viewer in their roles."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="set a new password for all three")

    def handle(self, *args, reset: bool, **options):
        if settings.DJANGO_ENV == "production":
            raise CommandError(
                "create_demo_users refuses to run with DJANGO_ENV=production: demo accounts "
                "with a shared password do not belong on a production site."
            )
        given = os.environ.get("DEMO_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        User = get_user_model()
        for username in DEMO_USERS:
            try:
                validate_password(password, User(username=username))
            except ValidationError as exc:
                raise CommandError(
                    f"DEMO_PASSWORD is too weak for {username!r}: {' '.join(exc.messages)}"
                ) from None
        changed = False
        for username, role in DEMO_USERS.items():
            try:
                group = Group.objects.get(name=role)
            except Group.DoesNotExist:
                raise CommandError(f"role {role!r} is missing: run manage.py migrate") from None
            user, created = User.objects.get_or_create(username=username)
            # The same DEMO_PASSWORD again (scripts/run on every start) is no change:
            # setting it anew (a new salt) would end the account's API tokens.
            new_password = created or reset or (bool(given) and not user.check_password(given))
            if new_password:
                user.set_password(password)
                changed = True
            user.is_staff = role == EDITOR  # editors work in the Django admin too
            user.save()
            user.groups.set([group])
            self.stdout.write(
                f"{username:<8} {role}{'' if new_password else ' (password unchanged)'}"
            )
        if changed and given:
            self.stdout.write("password: from DEMO_PASSWORD")
        elif changed:
            self.stdout.write(f"password: {password}  (set DEMO_PASSWORD to choose it)")
