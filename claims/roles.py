"""The newsroom's roles, as Django groups with permissions.

Viewer reads everything; Fact-checker works claims (start, give back, dismiss,
notes, evidence, assign to self); Editor also gives and reopens verdicts,
assigns anyone, runs bulk actions (and undoes them), plans due dates and
priorities, manages articles, feeds and webhooks, and manages people and their
roles in the admin. Superusers are not needed for daily work.
"""

VIEWER, FACT_CHECKER, EDITOR = "Viewer", "Fact-checker", "Editor"

_READ = [
    "view_article",
    "view_claim",
    "view_hedgecue",
    "view_statuschange",
    "view_evidence",
    "view_claimchange",
    "view_factcheck",
    "view_source",
    "view_sourcechange",
    "view_articleversion",
]
_WORK = ["work_claim", "add_evidence"]
_EDIT = [
    "give_verdict",
    "assign_any",
    "change_claim",
    "add_claim",
    "add_article",
    "change_article",
    "reanalyze_article",
    "view_bulkaction",
    "view_importbatch",
    "add_factcheck",
    "change_factcheck",
    "change_source",
    "manage_source",
    # Feeds: editors subscribe, edit, poll and unsubscribe; the other roles see
    # the articles the feeds bring, not the subscriptions.
    "view_feed",
    "add_feed",
    "change_feed",
    "delete_feed",
    "view_feeditem",
    # Webhooks: endpoints registered by editors, their delivery log.
    "view_webhookendpoint",
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookdelivery",
    "view_webhookattempt",
]
# Editors manage people and their roles in the admin (not superusers, and never
# the groups' permissions themselves: claims.admin.UserAdmin keeps to that).
_PEOPLE = ["view_user", "add_user", "change_user", "view_group"]

ROLE_PERMISSIONS = {
    VIEWER: _READ,
    FACT_CHECKER: _READ + _WORK,
    EDITOR: _READ + _WORK + _EDIT,
}


ROLE_AUTH_PERMISSIONS = {EDITOR: _PEOPLE}


def ensure_roles() -> None:
    """Create the groups with their permissions if they are missing (idempotent).

    The migrations create them; this is for a database that lost them, such as a
    test database flushed by a transactional test. A flush that skipped
    post_migrate (the end of a test with serialized_rollback) took the content
    types and permissions too: they are made first, as post_migrate makes them,
    or each group would be made with no permission at all (its people refused
    every page)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    wanted = {c for names in ROLE_PERMISSIONS.values() for c in names}
    have = Permission.objects.filter(content_type__app_label="claims", codename__in=wanted)
    if have.count() < len(wanted):
        for label in ("auth", "claims"):  # their content types first, then permissions
            create_permissions(apps.get_app_config(label), verbosity=0)
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        people = Permission.objects.filter(
            content_type__app_label="auth", codename__in=ROLE_AUTH_PERMISSIONS.get(name, [])
        )
        group.permissions.set([*perms, *people])
