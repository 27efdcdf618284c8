"""The admin's bulk actions follow the dashboard's rules (confirmation page,
required target, undo through the same service); editors manage people and
roles but never superusers; the History button shows our history."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.models import BulkAction, ClaimStatus
from claims.roles import EDITOR, FACT_CHECKER
from claims.workflow import claim_transition
from tests.factories import ClaimFactory, UserFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:claims_claim_changelist"


def login(client, user):
    client.force_login(user)
    return client


def act(client, action, claims, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in claims], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_bulk_dismiss_asks_first_naming_count_action_and_change(client):
    claims = [ClaimFactory() for _ in range(3)]
    login(client, editor())
    page = act(client, "bulk_dismiss", claims)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Dismiss 3 claims" in html and "3: status Unstarted -&gt; Dismissed" in html
    for c in claims:
        c.refresh_from_db()
        assert c.status == ClaimStatus.UNSTARTED  # nothing written yet
    no_reason = act(client, "bulk_dismiss", claims, apply="1")
    assert (
        no_reason.status_code == 200
        and "Say why the claim is dismissed" in no_reason.content.decode()
    )
    done = act(client, "bulk_dismiss", claims, apply="1", dismiss_reason="duplicate")
    assert done.status_code == 302
    for c in claims:
        c.refresh_from_db()
        assert (c.status, c.dismiss_reason) == (ClaimStatus.DISMISSED, "duplicate")
    assert BulkAction.objects.get().summary == "Dismiss 3 claims: status Unstarted -> Dismissed"


def test_bulk_dismiss_refuses_a_claim_changed_after_the_confirmation_page(client):
    import re

    claims = [ClaimFactory() for _ in range(3)]
    login(client, editor())
    html = act(client, "bulk_dismiss", claims).content.decode()
    versions = re.findall(r'name="versions" value="(\d+:\d+)"', html)
    assert len(versions) == 3
    started = claims[0]
    claim_transition(claim=started, to_status="in_progress", user=checker(), expected_version=1)
    done = act(
        client, "bulk_dismiss", claims, apply="1", dismiss_reason="duplicate", versions=versions
    )
    assert done.status_code == 302
    started.refresh_from_db()
    assert started.status == ClaimStatus.IN_PROGRESS
    assert [item["claim"] for item in BulkAction.objects.get().items] == [c.pk for c in claims[1:]]
    shown = client.get(reverse(CHANGELIST)).content.decode()
    assert f"Claim {started.pk}: changed since the confirmation page" in shown


def test_bulk_assign_has_no_default_target(client):
    claim = ClaimFactory(assignee=checker())
    login(client, editor())
    page = act(client, "bulk_assign", [claim])
    assert 'value="" selected>Choose a person' in page.content.decode()
    refused = act(client, "bulk_assign", [claim], apply="1", assignee="")
    assert refused.status_code == 200 and "Choose who gets the claims" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.assignee is not None and not BulkAction.objects.exists()
    unassign = act(client, "bulk_assign", [claim], apply="1", assignee="none")
    assert unassign.status_code == 302
    claim.refresh_from_db()
    assert claim.assignee is None


def test_bulk_plan_sets_priority(client):
    claims = [ClaimFactory(), ClaimFactory()]
    login(client, editor())
    assert act(client, "bulk_plan", claims, apply="1", priority="1").status_code == 302
    for c in claims:
        c.refresh_from_db()
        assert c.priority == 1


def test_undo_from_the_bulk_action_admin(client):
    claims = [ClaimFactory(), ClaimFactory()]
    login(client, editor())
    act(client, "bulk_start", claims, apply="1")
    bulk = BulkAction.objects.get()
    changelist = reverse("admin:claims_bulkaction_changelist")
    ask = client.post(changelist, {"action": "undo", "_selected_action": [bulk.pk]})
    assert ask.status_code == 200 and "Undo 1 bulk action" in ask.content.decode()
    done = client.post(changelist, {"action": "undo", "_selected_action": [bulk.pk], "apply": "1"})
    assert done.status_code == 302
    for c in claims:
        c.refresh_from_db()
        assert (c.status, c.assignee) == (ClaimStatus.UNSTARTED, None)
        assert c.status_changes.last().note == f"Undo of bulk action #{bulk.pk}"
    page = client.get(reverse("admin:claims_bulkaction_change", args=[bulk.pk]))
    assert page.status_code == 200 and "can no longer be undone" in page.content.decode()


@pytest.mark.parametrize("role", [checker, viewer])
def test_other_roles_get_no_bulk_assign_or_plan(client, role):
    claim = ClaimFactory()
    login(client, role(is_staff=True))
    response = act(client, "bulk_assign", [claim], apply="1", assignee="none")
    assert response.status_code in (200, 302, 403)
    claim.refresh_from_db()
    assert claim.version == 1 and not BulkAction.objects.exists()


def test_history_button_shows_our_history(client):
    claim = ClaimFactory()
    boss = editor()
    claim_transition(claim=claim, to_status="in_progress", user=boss, expected_version=1)
    login(client, boss)
    html = client.get(reverse("admin:claims_claim_history", args=[claim.pk])).content.decode()
    assert "status: unstarted → in_progress" in html
    assert "assigned; assignee: — → editor" in html and "Taken on start." in html
    assert "no change history" not in html.lower()


# --- People ---------------------------------------------------------------------------


def test_editors_manage_people_and_roles_but_not_superusers(client):
    boss = editor()
    root = get_user_model().objects.create_superuser("root", "r@example.org", "pw-root-12345")
    worker = checker()
    login(client, boss)
    users = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "checker" in users and ">root<" not in users
    assert client.get(reverse("admin:auth_user_change", args=[root.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code in (
        403,
        404,
    )
    page = client.get(reverse("admin:auth_user_change", args=[worker.pk])).content.decode()
    assert 'name="groups"' in page
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    assert 'name="user_permissions"' not in page

    # Make the checker an editor, and try to smuggle in superuser and staff.
    editor_group = Group.objects.get(name=EDITOR)
    data = {
        "username": "checker",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [editor_group.pk],
    }
    response = client.post(reverse("admin:auth_user_change", args=[worker.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    worker.refresh_from_db()
    assert list(worker.groups.values_list("name", flat=True)) == [EDITOR]
    assert not worker.is_superuser and not worker.is_staff


def test_editors_cannot_take_over_an_account_that_can_do_more_than_they_can(client):
    """An account a superuser gave a single permission (or a group other than the
    roles) is out of an editor's reach, as a superuser is: resetting its password
    or changing it would hand the editor permissions only a superuser grants."""
    from django.contrib.auth.models import Permission

    boss = editor()
    auditor = UserFactory(username="auditor", is_staff=True)
    auditor.set_password("the-auditors-own-pass-77")
    auditor.save()
    auditor.user_permissions.add(Permission.objects.get(codename="delete_article"))
    login(client, boss)
    password_url = reverse("admin:auth_user_password_change", args=[auditor.pk])
    assert client.get(password_url).status_code in (403, 404)
    response = client.post(
        password_url,
        {
            "password1": "taken-over-pass-77",
            "password2": "taken-over-pass-77",
            "usable_password": "true",
        },
    )
    assert response.status_code in (403, 404)
    auditor.refresh_from_db()
    assert auditor.check_password("the-auditors-own-pass-77")
    change_url = reverse("admin:auth_user_change", args=[auditor.pk])
    response = client.post(change_url, {"username": "auditor", "is_active": "", "groups": []})
    assert response.status_code in (302, 403, 404)
    auditor.refresh_from_db()
    assert auditor.is_active and auditor.user_permissions.exists()
    # Switched off, the account still holds its permissions: out of reach too (an
    # editor could switch it on again).
    auditor.is_active = False
    auditor.save()
    assert client.get(password_url).status_code in (403, 404)
    # A colleague whose role is the editor's own stays in reach (password resets).
    peer = editor(username="peer")
    peer_url = reverse("admin:auth_user_password_change", args=[peer.pk])
    assert client.get(peer_url).status_code == 200


def test_editors_see_the_roles_but_do_not_change_them(client):
    login(client, editor())
    group = Group.objects.get(name=FACT_CHECKER)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "x", "permissions": []}
    )
    assert response.status_code == 403
    assert Group.objects.filter(name=FACT_CHECKER).exists()


@pytest.mark.parametrize("role", [checker, viewer])
def test_other_roles_cannot_reach_people(client, role):
    login(client, role(is_staff=True))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_an_editor_can_create_a_person_without_escalation(client):
    login(client, editor())
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "password1": "a-long-pass-phrase-77",
            "password2": "a-long-pass-phrase-77",
            "usable_password": "true",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    newbie = UserFactory._meta.model.objects.get(username="newbie")
    assert not newbie.is_superuser and not newbie.is_staff


def test_an_editor_saving_a_person_keeps_the_groups_the_form_does_not_offer(client):
    """The form offers an editor the three roles only: a group a superuser gave
    (one whose permissions the editor holds, so the person stays in reach) is
    neither shown nor dropped by the editor's save."""
    boss = editor()
    night_desk = Group.objects.create(name="Night desk")  # a label: no permissions
    worker = checker()
    worker.groups.add(night_desk)
    login(client, boss)
    page = client.get(reverse("admin:auth_user_change", args=[worker.pk])).content.decode()
    assert "Night desk" not in page
    editor_group = Group.objects.get(name=EDITOR)
    data = {
        "username": "checker",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [editor_group.pk],
    }
    response = client.post(reverse("admin:auth_user_change", args=[worker.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(worker.groups.values_list("name", flat=True)) == [EDITOR, "Night desk"]

    # Taking every role away leaves the other group too.
    data["groups"] = []
    response = client.post(reverse("admin:auth_user_change", args=[worker.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(worker.groups.values_list("name", flat=True)) == ["Night desk"]


def test_a_superuser_still_changes_every_group_of_a_person(client):
    root = get_user_model().objects.create_superuser("root", "r@example.org", "pw-root-12345")
    night_desk = Group.objects.create(name="Night desk")
    worker = checker()
    worker.groups.add(night_desk)
    login(client, root)
    data = {
        "username": "checker",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [Group.objects.get(name=FACT_CHECKER).pk],
        "date_joined_0": "2026-01-05",  # a superuser's form has the dates
        "date_joined_1": "09:00:00",
    }
    response = client.post(reverse("admin:auth_user_change", args=[worker.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(worker.groups.values_list("name", flat=True)) == [FACT_CHECKER]
