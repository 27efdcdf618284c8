"""Django's ModelBackend with a user's permissions read in one query, not two.

Every API request checks a permission (claims.api.permissions), and each check
loaded the user's own permissions and then their groups' (the roles,
claims.roles): two queries of the ~six a claim list page makes. Here both come
from one query, into the same per-request cache (``user._perm_cache``), with the
same answers: inactive and anonymous users have none, superusers have all.
"""

from __future__ import annotations

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                of_groups = Permission.objects.filter(group__in=user_obj.groups.values("pk"))
                perms = Permission.objects.filter(
                    Q(pk__in=user_obj.user_permissions.values("pk"))
                    | Q(pk__in=of_groups.values("pk"))
                )
            pairs = perms.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in pairs}
        return user_obj._perm_cache
