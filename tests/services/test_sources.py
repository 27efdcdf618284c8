"""Sources across articles: resolution by normalised name, anonymity never
merged, merge and split by editors only (recorded), the record, and the record as
an optional prior on confidence."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from claims import selectors, services
from claims.models import Claim, Source, SourceChange
from claims.services import article_ingest
from claims.services.sources import (
    SourceError,
    SourceNotPermitted,
    resolvable_key,
    source_key,
    source_merge,
    source_split,
    sources_resolve,
)
from claims.workflow import claim_transition
from tests.factories import ArticleFactory, ClaimFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db

OBSERVATORY_1 = (
    "Strikes hit Idlib\n\n"
    "BEIRUT - The Syrian Observatory for Human Rights said on Sunday that 12 civilians "
    "were killed in the strikes. Officials said the hospital was closed.\n"
)
OBSERVATORY_2 = (
    "Ceasefire falters\n\n"
    "BEIRUT - At least 30 fighters died overnight, the Syrian Observatory for Human "
    "Rights said on Monday. Officials said the border crossing would reopen.\n"
)


def test_names_normalise_across_case_punctuation_and_the():
    assert source_key("The U.S. Army") == source_key("US army") == "us army"
    assert source_key("Syrian Observatory for Human Rights") == source_key(
        "the  syrian observatory, for human rights"
    )
    assert source_key("Agência Brasil") == "agencia brasil"


@pytest.mark.parametrize(
    "name,kind",
    [
        ("officials", "government"),
        ("Officials", "government"),
        ("a witness", "unnamed"),
        ("Ana Ruiz", "unnamed"),  # typed unnamed by the engine: no one in particular
        ("Police sources", "unnamed"),
        ("A spokesman", "named_organization"),
        ("the department", "government"),
        ("", "none"),
    ],
)
def test_no_one_in_particular_is_not_resolved(name, kind):
    assert resolvable_key(name, kind) is None


def test_named_sources_are_resolved():
    assert resolvable_key("the Kremlin", "government") == "kremlin"
    assert resolvable_key("Ana Ruiz", "named_person") == "ana ruiz"


def test_one_source_across_two_analysed_articles_and_officials_stay_apart(committed):
    for text in (OBSERVATORY_1, OBSERVATORY_2):
        with committed():
            article_ingest(text=text)
    observatory = Claim.objects.filter(source_text__icontains="Syrian Observatory")
    assert observatory.count() == 2
    assert {c.article_id for c in observatory} == set(Claim.objects.values_list("article", flat=1))
    (source_id,) = {c.source_id for c in observatory}
    assert source_id is not None
    source = Source.objects.get(pk=source_id)
    assert source.name == "Syrian Observatory for Human Rights"
    officials = Claim.objects.filter(source_text__iexact="officials")
    assert officials.count() == 2
    assert all(c.source_id is None for c in officials)
    assert Source.objects.count() == 1


def test_resolution_is_idempotent_and_the_backfill_command_links_old_claims():
    a = ClaimFactory(source_text="Ana Ruiz")
    b = ClaimFactory(source_text="ANA RUIZ.", article=ArticleFactory())
    c = ClaimFactory(source_text="officials", source_type="government")
    assert a.source_id is None  # analysed before sources existed
    out = io.StringIO()
    call_command("resolve_sources", stdout=out)
    assert "2 of 3 claim(s) linked" in out.getvalue()
    call_command("resolve_sources", stdout=io.StringIO())
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.source_id == b.source_id is not None and c.source_id is None
    assert Source.objects.count() == 1


def test_merge_moves_names_and_claims_and_is_recorded():
    full = ClaimFactory(source_text="Ana Ruiz")
    short = ClaimFactory(source_text="Ruiz")
    sources_resolve(claim_ids=[full.pk, short.pk])
    full.refresh_from_db(), short.refresh_from_db()
    boss = editor()
    change = source_merge(source=short.source, into=full.source, user=boss)
    short.refresh_from_db()
    assert short.source_id == full.source_id
    assert change.action == "merged" and change.aliases == ["Ruiz"] and change.claims == 1
    merged = Source.objects.get(pk=change.source_id)
    assert merged.merged_into_id == full.source_id
    # A new article saying "Ruiz" now resolves to the merged source.
    later = ClaimFactory(source_text="Ruiz", article=ArticleFactory())
    sources_resolve(claim_ids=[later.pk])
    later.refresh_from_db()
    assert later.source_id == full.source_id
    assert selectors.source_list().filter(pk=merged.pk).count() == 0
    with pytest.raises(SourceError):
        source_merge(source=merged, into=full.source, user=boss)


def test_two_editors_merging_two_sources_into_each_other_make_no_cycle():
    """Each editor's page loaded both sources before either merge: the second
    merge is checked against the sources as they are now, not as it loaded them,
    so A -> B then B -> A is refused (a cycle sent the source page into an
    endless redirect and lost both sources from the list)."""
    full = ClaimFactory(source_text="Ana Ruiz")
    short = ClaimFactory(source_text="Ruiz")
    sources_resolve(claim_ids=[full.pk, short.pk])
    full.refresh_from_db(), short.refresh_from_db()
    a, b = full.source, short.source
    a_seen, b_seen = Source.objects.get(pk=a.pk), Source.objects.get(pk=b.pk)
    source_merge(source=a, into=b, user=editor())
    with pytest.raises(SourceError):
        source_merge(source=b_seen, into=a_seen, user=editor(username="other"))
    a.refresh_from_db(), b.refresh_from_db()
    assert a.merged_into_id == b.pk and b.merged_into_id is None


def test_split_takes_names_and_their_claims_to_a_new_source():
    a = ClaimFactory(source_text="Ana Ruiz")
    b = ClaimFactory(source_text="Ruiz")
    sources_resolve(claim_ids=[a.pk, b.pk])
    a.refresh_from_db(), b.refresh_from_db()
    boss = editor()
    source_merge(source=b.source, into=a.source, user=boss)
    target = Source.objects.get(pk=a.source_id)
    new = source_split(source=target, aliases=["Ruiz"], user=boss)
    b.refresh_from_db(), a.refresh_from_db()
    assert b.source_id == new.pk and a.source_id == target.pk
    assert new.name == "Ruiz"
    assert SourceChange.objects.filter(source=target, action="split", other=new).exists()
    with pytest.raises(SourceError, match="at least one"):
        source_split(source=target, aliases=["Ana Ruiz"], user=boss)
    with pytest.raises(SourceError, match="not its aliases"):
        source_split(source=target, aliases=["Somebody Else"], user=boss)


def ruiz_merged(boss):
    """Two claims, "Ana Ruiz" and "Ruiz", their sources merged into Ana Ruiz's.
    Returns the claims and the source merged away."""
    a = ClaimFactory(source_text="Ana Ruiz")
    b = ClaimFactory(source_text="Ruiz")
    sources_resolve(claim_ids=[a.pk, b.pk])
    a.refresh_from_db(), b.refresh_from_db()
    merged = b.source
    source_merge(source=merged, into=a.source, user=boss)
    return a, b, merged


def test_splitting_off_a_sources_own_name_renames_the_source_it_leaves():
    boss = editor()
    a, b, _ = ruiz_merged(boss)
    target = Source.objects.get(pk=a.source_id)
    assert target.name == "Ana Ruiz"
    new = source_split(source=target, aliases=["Ana Ruiz"], user=boss)
    a.refresh_from_db(), b.refresh_from_db(), target.refresh_from_db()
    assert (new.name, a.source_id) == ("Ana Ruiz", new.pk)
    assert (target.name, target.key, b.source_id) == ("Ruiz", "ruiz", target.pk)
    assert Source.objects.filter(name="Ana Ruiz").count() == 1


def test_the_source_id_filter_lists_a_sources_claims_under_every_name():
    a, b, merged = ruiz_merged(editor())
    ClaimFactory(source_text="Somebody Else")
    user = editor(username="reader")
    for source_id in (a.source_id, merged.pk):  # a merged source's id: where it went
        claims = selectors.claim_list(filters={"source_id": str(source_id)}, user=user)
        assert sorted(c.pk for c in claims) == sorted([a.pk, b.pk])
    by_name = selectors.claim_list(filters={"source": "Ana Ruiz"}, user=user)
    assert [c.pk for c in by_name] == [a.pk]  # the name filter stays exact


@pytest.mark.parametrize("make", [checker, viewer])
def test_only_editors_merge_and_split(make):
    a = ClaimFactory(source_text="Ana Ruiz")
    b = ClaimFactory(source_text="Ruiz")
    sources_resolve(claim_ids=[a.pk, b.pk])
    a.refresh_from_db(), b.refresh_from_db()
    with pytest.raises(SourceNotPermitted):
        source_merge(source=b.source, into=a.source, user=make())
    with pytest.raises(SourceNotPermitted):
        source_split(source=a.source, aliases=["Ana Ruiz"], user=make())
    assert not SourceChange.objects.exists()


def make_record(verified: int, false: int, dismissed: int = 0, **extra) -> list[Claim]:
    statuses = ["verified"] * verified + ["false"] * false + ["dismissed"] * dismissed
    claims = [
        ClaimFactory(source_text="Syrian Observatory", source_type="named_organization", status=s)
        for s in statuses
    ]
    claims += [
        ClaimFactory(source_text="Syrian Observatory", source_type="named_organization", **extra)
    ]
    sources_resolve(claim_ids=[c.pk for c in claims])
    for c in claims:
        c.refresh_from_db()
    return claims


def test_the_record_counts_verdicts_and_the_hedging_by_month():
    claims = make_record(8, 1, dismissed=2, status="in_progress")
    source = claims[0].source
    record = selectors.source_record(source=source)
    assert record == {
        "verified": 8,
        "false": 1,
        "misleading": 0,
        "inconclusive": 0,
        "dismissed": 2,
        "claims": 12,
        "verdicts": 9,
    }
    claims[0].hedges.create(text="about", category="approximator", start=0, end=5)
    months = selectors.source_hedging(source=source)
    assert sum(m["claims"] for m in months) == 12
    assert sum(m["hedged"] for m in months) == 1


def test_the_prior_is_off_by_default(settings):
    assert settings.SOURCE_RECORD_PRIOR is False
    claims = make_record(8, 1, status="in_progress")
    claim = claims[-1]
    claim.refresh_from_db()
    assert not any("record" in r for r in claim.confidence_reasons)


def test_the_prior_on_says_so_and_moves_the_score(settings):
    settings.SOURCE_RECORD_PRIOR = True
    settings.SOURCE_RECORD_MIN_VERDICTS = 5
    claims = make_record(8, 1, status="in_progress", sourcing_strength="moderate")
    claim = claims[-1]
    assert "source's record: 8 of 9 verified" in claim.confidence_reasons
    # moderate (0.7) moved toward (8+1)/(9+2) by the weight 0.3: 0.7*0.7 + 0.3*0.818...
    assert claim.confidence_score == pytest.approx(0.7 * 0.7 + 0.3 * 9 / 11, abs=1e-4)
    # A claim's own verdict never counts in its record.
    judged = claims[0]
    assert judged.status == "verified"
    assert "source's record: 7 of 8 verified" in judged.confidence_reasons


def test_the_prior_waits_for_the_minimum_and_follows_new_verdicts(settings):
    settings.SOURCE_RECORD_PRIOR = True
    settings.SOURCE_RECORD_MIN_VERDICTS = 5
    claims = make_record(3, 1, status="in_progress", sourcing_strength="moderate")
    last = claims[-1]
    assert not any("record" in r for r in last.confidence_reasons)
    boss = editor()
    other = ClaimFactory(
        source_text="Syrian Observatory", source_type="named_organization", status="in_progress"
    )
    sources_resolve(claim_ids=[other.pk])
    other.refresh_from_db()
    claim_transition(
        claim=other, to_status="verified", user=boss, note="ok", expected_version=other.version
    )
    last.refresh_from_db()
    assert "source's record: 4 of 5 verified" in last.confidence_reasons


def test_a_corrected_source_name_is_resolved_again():
    claim = ClaimFactory(source_text="Ana Ruiz")
    sources_resolve(claim_ids=[claim.pk])
    claim.refresh_from_db()
    services.claim_correct(
        claim=claim, user=editor(), expected_version=claim.version, source_text="Marta Lopez"
    )
    claim.refresh_from_db()
    assert claim.source.name == "Marta Lopez"


@pytest.mark.postgres
def test_resolving_again_rewrites_no_claim_row():
    """Issue 12: an UPDATE of a row to the value it holds still writes a new row
    version (and an entry in each of the claim's indexes): only changed rows are
    updated. xmin, the row version's transaction, says whether it was rewritten."""
    from django.db import connection, transaction

    linked = ClaimFactory(source_text="Ana Ruiz")
    unlinked = ClaimFactory(source_text="officials", source_type="government")
    ids = [linked.pk, unlinked.pk]

    def versions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, xmin::text FROM claims_claim WHERE id = ANY(%s) ORDER BY id", [ids]
            )
            return cursor.fetchall()

    sources_resolve(claim_ids=ids)
    before = versions()
    with transaction.atomic():  # a transaction of its own: another xmin if rewritten
        sources_resolve(claim_ids=ids)
    assert versions() == before
