"""Django's ModelBackend with a user's permissions read in one short query.

Every API request checks a permission (claims.api.permissions), and each check
loaded the user's own permissions and then their groups' (the roles,
claims.roles): two ORM queries, ~4 ms of a claim list page, most of it building
the SQL. Here one statement, written once per process from the models' own table
and column names, fills the same per-request cache (``user._perm_cache``) with the
same answers: inactive and anonymous users have none, superusers have all.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@cache
def _permissions_sql() -> str:
    """SELECT app_label, codename of the permissions of the user whose id is
    the two parameters."""
    return permissions_select("ct.{app_label}, p.{codename}", "%s")


@cache
def permissions_select(columns: str, user_id: str) -> str:
    """A SELECT of ``columns`` (ct: the permission's content type, p: the permission;
    each name in braces is quoted) of the permissions that the user whose id is the
    SQL expression ``user_id`` holds themselves or through a group: two placeholders
    with ``"%s"``, or a column of an outer query (claims.tokens reads them with the
    token)."""
    quote = connection.ops.quote_name
    user_perms = get_user_model()._meta.get_field("user_permissions")
    user_groups = get_user_model()._meta.get_field("groups")
    group_perms = Group._meta.get_field("permissions")

    def through(field):  # (table, column of this side, column of the other side)
        meta = field.remote_field.through._meta
        return (
            quote(meta.db_table),
            quote(meta.get_field(field.m2m_field_name()).column),
            quote(meta.get_field(field.m2m_reverse_field_name()).column),
        )

    up_table, up_user, up_perm = through(user_perms)
    ug_table, ug_user, ug_group = through(user_groups)
    gp_table, gp_group, gp_perm = through(group_perms)
    perm = Permission._meta
    names = {name: quote(name) for name in ("app_label", "codename")}
    # The models' own names, quoted; the user's id is a parameter or a column.
    return (
        f"SELECT {columns.format(**names)}"  # noqa: S608  # nosec
        f" FROM {quote(perm.db_table)} p"
        f" JOIN {quote(ContentType._meta.db_table)} ct"
        f" ON ct.{quote('id')} = p.{quote(perm.get_field('content_type').column)}"
        f" WHERE p.{quote('id')} IN ("
        f"SELECT {up_perm} FROM {up_table} WHERE {up_user} = {user_id}"
        f" UNION SELECT gp.{gp_perm} FROM {gp_table} gp"
        f" JOIN {ug_table} ug ON ug.{ug_group} = gp.{gp_group} WHERE ug.{ug_user} = {user_id})"
    )


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                pairs = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                    pairs = cursor.fetchall()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in pairs}
        return user_obj._perm_cache


def permissions_preload(user, names) -> None:
    """Fill ``user``'s permission cache with ``names`` ("app_label.codename"), read
    by the caller with permissions_select(): the cache the backend would fill.
    A superuser's (every permission) and an inactive user's (none) are left to it."""
    if user.is_active and not user.is_superuser:
        user._perm_cache = set(names)
