"""Who may call what. The workflow checks its own permissions (claims.workflow);
these guard the endpoints whose services leave that to the caller."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


def has_perm(codename: str) -> type[BasePermission]:
    """A permission class that requires the Django permission ``codename``."""

    class HasPerm(BasePermission):
        message = f"Your role does not have the permission {codename}."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(codename))

    HasPerm.__name__ = f"HasPerm({codename})"
    return HasPerm


CanReadClaims = has_perm("claims.view_claim")
CanReadArticles = has_perm("claims.view_article")
CanAddArticle = has_perm("claims.add_article")
CanReanalyze = has_perm("claims.reanalyze_article")
