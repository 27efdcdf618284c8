"""API tokens (django-rest-knox): created, listed and revoked by their owner.

Knox stores a SHA-512 digest of each token, never the token itself, so the key is
shown once, when it is made. A token is named by its ``token_key``: the first 15
characters of the key, which knox keeps in clear to find the digest to compare.
The API, the dashboard's account page and ``manage.py create_api_token`` all call
these functions.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings

from claims.backends import permissions_preload, permissions_select
from claims.models import TokenParent


class TokenError(ValueError):
    """A token that cannot be made; the message is for the user."""


def token_list(*, user) -> QuerySet[AuthToken]:
    """The user's tokens that have not expired, newest first."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(live, user=user).order_by("-created")


def token_lookup(token_key: str) -> list[AuthToken]:
    """The tokens stored under ``token_key`` (knox's clear prefix of a key: one,
    unless two keys share their first 15 characters), each with its user, and on
    PostgreSQL that user's permissions in their cache, from one statement.

    Knox's lookup, an ORM query with select_related, and then the permissions'
    own query were ~3 ms of every API request, most of it building the SQL; this
    statement is written once per process from the models' names."""
    token_fields, user_fields, converters, with_permissions = _lookup_parts()
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [token_key])
        rows = cursor.fetchall()
    tokens = []
    for row in rows:
        values = list(row)
        for index, expression, functions in converters:
            for function in functions:
                values[index] = function(values[index], expression, connection)
        token = AuthToken.from_db(connection.alias, token_fields, values[: len(token_fields)])
        user = get_user_model().from_db(
            connection.alias,
            user_fields,
            values[len(token_fields) : len(token_fields) + len(user_fields)],
        )
        if with_permissions:
            permissions_preload(user, values[-1])
        AuthToken._meta.get_field("user").set_cached_value(token, user)
        tokens.append(token)
    return tokens


@cache
def _lookup_parts() -> tuple[list[str], list[str], list[tuple], bool]:
    """The attribute names of the token's and the user's columns, the database's
    converters of each (as the ORM applies them: SQLite's dates, for one) and
    whether the permissions come with them."""
    fields = [*AuthToken._meta.concrete_fields, *get_user_model()._meta.concrete_fields]
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, column, functions))
    token_fields = [f.attname for f in AuthToken._meta.concrete_fields]
    user_fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    return token_fields, user_fields, converters, connection.vendor == "postgresql"


@cache
def _lookup_sql() -> str:
    quote = connection.ops.quote_name
    user_meta, token_meta = get_user_model()._meta, AuthToken._meta
    columns = [f"t.{quote(f.column)}" for f in token_meta.concrete_fields]
    columns += [f"u.{quote(f.column)}" for f in user_meta.concrete_fields]
    if _lookup_parts()[3]:  # PostgreSQL: the permissions as an array of names
        names = permissions_select(
            "ct.{app_label} || '.' || p.{codename}", "u." + quote(user_meta.pk.column)
        )
        columns.append(f"ARRAY({names})")
    return (
        f"SELECT {', '.join(columns)} FROM {quote(token_meta.db_table)} t"  # noqa: S608  # nosec
        f" JOIN {quote(user_meta.db_table)} u"
        f" ON u.{quote(user_meta.pk.column)} = t.{quote(token_meta.get_field('user').column)}"
        f" WHERE t.{quote(token_meta.get_field('token_key').column)} = %s"
    )


def token_create(
    *, user, expiry: timedelta | None = None, parent: AuthToken | None = None
) -> tuple[AuthToken, str]:
    """A new token for ``user``, valid for ``expiry`` (default REST_KNOX's TOKEN_TTL).
    A token made with another token (``parent``) ends no later than it: a 1-day
    token cannot mint a 365-day one; it is recorded as its child, and revoking the
    parent revokes it (token_revoke). Returns the stored token and its key; the
    key cannot be recovered later."""
    if not user.is_active:
        raise TokenError("This account is inactive.")
    # Expired tokens never authenticate; they are cleared here (the API's
    # authentication checks only the token it is given).
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = settings.API_TOKEN_LIMIT_PER_USER
    if token_list(user=user).count() >= limit:
        raise TokenError(f"An account can hold at most {limit} tokens: revoke one first.")
    expiry = expiry if expiry is not None else knox_settings.TOKEN_TTL
    if expiry <= timedelta(0):
        raise TokenError("A token's lifetime must be positive.")
    if parent is not None and parent.expiry is not None:
        expiry = min(expiry, parent.expiry - timezone.now())
        if expiry <= timedelta(0):
            raise TokenError("The token this request came with has expired.")
    if parent is None:
        return AuthToken.objects.create(user=user, expiry=expiry)
    revoked = TokenError("The token this request came with has been revoked.")
    try:
        with transaction.atomic():
            # The parent locked: a revoke running now either finds this child or
            # has deleted the parent first (then there is nothing to make it with).
            if not AuthToken.objects.select_for_update().filter(digest=parent.digest).exists():
                raise revoked
            token, key = AuthToken.objects.create(user=user, expiry=expiry)
            if parent.expiry is not None and token.expiry > parent.expiry:
                # knox adds the lifetime to its own "now", a moment after ours.
                token.expiry = parent.expiry
                token.save(update_fields=["expiry"])
            TokenParent.objects.create(token=token, parent_id=parent.digest)
    except IntegrityError:  # the parent deleted meanwhile (SQLite takes no row lock)
        raise revoked from None
    return token, key


def tokens_end_for(*, user) -> int:
    """Delete every token of ``user``: their password changed or the account was
    disabled, so what was given out with the old state must stop working."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def end_tokens_on_password_or_active_change(sender, instance, update_fields=None, **kwargs):
    """pre_save of the user model (connected in claims.apps): a new password (not
    Django rehashing the same one, see _is_hash_upgrade) or a disabled account
    ends the user's tokens, whichever path saved it (the password change page,
    the admin, ``changepassword``)."""
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login: nothing to compare
    before = type(instance).objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    password_changed = before["password"] != instance.password and not _is_hash_upgrade(
        instance, before["password"], update_fields
    )
    if password_changed or (before["is_active"] and not instance.is_active):
        tokens_end_for(user=instance)


def _is_hash_upgrade(user, stored_hash: str, update_fields) -> bool:
    """Whether this save is Django rehashing the same password, not a new one.

    check_password() (every login, and create_demo_users) saves a new hash of the
    password just checked when the stored one is due for an upgrade: another
    preferred hasher, or more PBKDF2 iterations after a Django upgrade. Ending
    the tokens then would end everyone's at their next login. The raw password
    is not here to compare with the old hash: Django's setter calls
    set_password(), then clears ``_password`` ("password hash upgrades shouldn't
    be considered password changes", django.contrib.auth.base_user) and saves
    with update_fields=["password"]. So an upgrade is exactly that save (the
    password alone, no raw password set) replacing a hash that was due for an
    upgrade. A real change (set_password() then save(), the admin, the password
    forms, changepassword) keeps ``_password`` set until after the save, so it
    ends the tokens; so does a hash assigned directly, unless it is saved alone
    over a stored hash that was itself due for an upgrade (indistinguishable
    here from Django's own rehash)."""
    if getattr(user, "_password", None) is not None or set(update_fields or ()) != {"password"}:
        return False
    try:
        hasher = identify_hasher(stored_hash)
        new = identify_hasher(user.password)
    except ValueError:
        return False  # an unusable password ("!...", set_unusable_password) or an unknown hasher
    preferred = get_hasher("default")
    if new.algorithm != preferred.algorithm or preferred.must_update(user.password):
        return False  # not what Django's rehash writes: the preferred hasher, up to date
    return hasher.algorithm != preferred.algorithm or preferred.must_update(stored_hash)


TOKEN_KEY_LENGTH = CONSTANTS.TOKEN_KEY_LENGTH


def token_revoke(*, user, token_key_prefix: str) -> int:
    """Delete the user's token named by its ``token_key`` (the key's first
    TOKEN_KEY_LENGTH characters; never the whole key, which must not travel in a
    URL), and its descendants: the tokens made with it, and those made with them
    (TokenParent), so that a stolen token, revoked, leaves none working behind.
    Returns how many tokens were deleted (0 when there is no such token of the
    user's); other people's tokens are never touched."""
    token_key = token_key_prefix or ""
    if len(token_key) != TOKEN_KEY_LENGTH:
        return 0
    mine = AuthToken.objects.filter(user=user)
    with transaction.atomic():
        # Each generation is locked before its children are read: a child being
        # made with one of them (token_create locks its parent) is either committed
        # and found, or waits and then finds its parent gone.
        frontier = list(
            mine.select_for_update().filter(token_key=token_key).values_list("digest", flat=True)
        )
        family = set(frontier)
        while frontier:
            children = TokenParent.objects.filter(parent_id__in=frontier).values_list(
                "token_id", flat=True
            )
            locked = mine.select_for_update().filter(digest__in=list(children))
            frontier = [d for d in locked.values_list("digest", flat=True) if d not in family]
            family.update(frontier)
        if not family:
            return 0
        AuthToken.objects.filter(digest__in=family).delete()
    return len(family)  # every one locked above, so every one deleted now


def revoke_children(sender, instance, **kwargs):
    """pre_delete of AuthToken (connected in claims.apps): a token deleted in any
    way (token_revoke, the admin) takes its children with it, and they theirs."""
    children = TokenParent.objects.filter(parent_id=instance.pk).values("token_id")
    AuthToken.objects.filter(digest__in=children).delete()
