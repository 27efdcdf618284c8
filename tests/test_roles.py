"""claims.roles.ensure_roles on a database that lost what the migrations made.

A transactional test with serialized_rollback (every browser test but one) ends
with a flush that skips post_migrate: Django expects the next such test to load
the serialized rows back. The next transactional test without it started on a
database with no content types and no permissions, where ensure_roles made the
role groups empty: its users were refused every page (403), so
tests/browser/test_article_versions.py failed whenever test_accessibility,
test_live_progress or test_article_keyboard ran just before it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from claims.roles import EDITOR, ROLE_PERMISSIONS, ensure_roles
from tests.factories import checker


@pytest.mark.django_db(transaction=True)
def test_roles_are_made_whole_after_a_flush_without_post_migrate():
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not Permission.objects.exists() and not Group.objects.exists()
    user = checker()
    assert user.has_perm("claims.view_article") and user.has_perm("claims.work_claim")
    editors = Group.objects.get(name=EDITOR).permissions
    assert set(
        editors.filter(content_type__app_label="claims").values_list("codename", flat=True)
    ) == set(ROLE_PERMISSIONS[EDITOR])
    ensure_roles()  # idempotent
    assert Group.objects.count() == len(ROLE_PERMISSIONS)
