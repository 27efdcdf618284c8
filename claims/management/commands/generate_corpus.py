"""python manage.py generate_corpus --claims N: fill the database with a realistic corpus.

For benchmarks at newsroom scale (issue 12). Articles are built from a template
vocabulary (real words, so full-text search finds things), one claim per claim
sentence, with filler sentences between them. Each article's size is drawn from a
plausible distribution: most have 5-40 claims, about 1.5% are long (100-600).
Claims get a kind, a source (type and strength), hedge cues inside their text,
the confidence score and level the contract's policy (settings.CONFIDENCE_POLICY)
gives for exactly those, a check-worthiness, a status with an assignee, and
history (StatusChange rows, and a ClaimChange for each assignment) for the
claims people worked on.

    manage.py generate_corpus --claims 100000 --seed 1
    manage.py generate_corpus --claims 10000 --clear   # empty the corpus tables first

PostgreSQL is filled with COPY (psycopg 3), other databases (SQLite) with batched
INSERTs. Both write explicit ids (reserved from the sequence on PostgreSQL) and
timestamps spread over the past year, which bulk_create would overwrite with now.
The column lists come from each model's concrete fields: a column this command
does not know is filled with its default (or NULL), so new nullable or defaulted
columns do not break it; a GeneratedField is left to the database.

A second run adds N more claims (texts and content hashes carry a run nonce).
Generated articles are marked by their source URL (https://corpus.invalid/...);
--clear refuses to empty tables that hold any other article unless --force.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from claims.analysis.confidence import score_claim
from claims.analysis.types import Claim as EngineClaim
from claims.analysis.types import Hedge, Source, Span
from claims.domain import content_hash, fingerprint
from claims.models import (
    AnalysisState,
    Article,
    Claim,
    ClaimChange,
    HedgeCue,
    StatusChange,
)
from claims.roles import EDITOR, FACT_CHECKER, ensure_roles

MARKER = "https://corpus.invalid/"
GENERATED_USERS = 12

# --- vocabulary ------------------------------------------------------------------
SUBJECTS = [
    "the city council", "the health ministry", "the school board", "the transport authority",
    "the mayor's office", "the regional government", "the central bank", "the police department",
    "the water utility", "the housing agency", "the university hospital", "the port authority",
    "the finance committee", "the energy regulator", "the national statistics office",
    "the teachers' union", "the chamber of commerce", "the county sheriff", "the airline",
    "the largest employer in the region", "the opposition party", "the governing coalition",
]  # fmt: skip
OBJECTS = [
    "road repairs", "new classrooms", "emergency shelters", "the bridge project", "bus lanes",
    "vaccination clinics", "affordable housing", "the flood barrier", "police overtime",
    "broadband for rural towns", "the pension fund", "wind farms", "the stadium renovation",
    "wastewater treatment", "hospital beds", "school lunches", "the tram extension",
    "tax rebates", "wildfire prevention", "the drug treatment programme", "public libraries",
]  # fmt: skip
PLACES = [
    "the northern districts", "the old town", "the harbour area", "three rural counties",
    "the capital", "the eastern suburbs", "the industrial zone", "the river valley",
    "every public school", "the coastal villages", "the university campus",
]  # fmt: skip
UNITS = ["million dollars", "million euros", "jobs", "households", "patients", "percent",
         "kilometres of road", "new homes", "students", "complaints"]  # fmt: skip
VERBS_PAST = ["approved", "cut", "doubled", "froze", "expanded", "cancelled", "delayed",
              "tripled", "audited", "privatised", "reopened", "halved"]  # fmt: skip
VERBS_FUTURE = ["finish", "fund", "close", "expand", "replace", "review", "abolish", "build"]
EVENT_VERBS = ["announced", "signed", "voted on", "published", "rejected", "unveiled"]
ADJECTIVES = ["unaffordable", "overdue", "a waste of money", "the best in the country",
              "dangerously underfunded", "a success", "badly managed", "illegal"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST = ["Maria", "James", "Aisha", "Tomasz", "Li", "Fatima", "Daniel", "Sofia", "Kwame",
         "Elena", "Rahul", "Grace", "Omar", "Ingrid", "Carlos", "Yuki"]  # fmt: skip
LAST = ["Okafor", "Lindqvist", "Moreno", "Nakamura", "Kowalski", "Haddad", "Brennan",
        "Petrov", "Mensah", "Duarte", "Fischer", "Chen", "Adeyemi", "Rossi"]  # fmt: skip
ROLES = ["a spokesperson", "the director", "the treasurer", "a councillor", "the chief executive",
         "a senior official", "the minister", "the chair"]  # fmt: skip
ORGS = [
    "Transparency Watch",
    "the Taxpayers' Alliance",
    "Greenfield Research",
    "the Citizens' Budget Office",
    "Northbridge Analytics",
    "the Medical Association",
]
GOVERNMENT = ["the Ministry of Finance", "the Department of Health", "City Hall",
              "the Treasury", "the Environment Agency"]  # fmt: skip
DOCUMENTS = ["the annual report", "a leaked memo", "the audit", "court filings",
             "the budget document", "the inspection report"]  # fmt: skip
UNNAMED = ["officials", "sources familiar with the matter", "a person close to the talks",
           "people briefed on the plan", "insiders"]  # fmt: skip
FILLER = [
    "The meeting ran late into the evening.", "Residents packed the public gallery.",
    "The debate is expected to continue next week.", "Reporters were not allowed inside.",
    "Similar measures were tried elsewhere a decade ago.", "The vote was delayed twice.",
    "Protesters gathered outside the building.", "Details were not immediately available.",
    "The proposal now goes to a second reading.", "Critics and supporters both claimed victory.",
]  # fmt: skip
HEDGES = {
    "approximator": ["about", "nearly", "roughly", "almost", "around"],
    "vague_quantity": ["many", "several", "some", "numerous"],
    "epistemic": ["may have", "could have", "possibly", "probably"],
    "reportative": ["reportedly", "allegedly", "supposedly"],
    "evidential_gap": ["without offering evidence,", "in unconfirmed remarks,"],
}
VERBS_SAY = ["said", "told reporters", "claimed", "argued", "wrote", "stated", "insisted"]

KINDS = [("statement", 45), ("quantity", 25), ("event", 15), ("prediction", 8), ("opinion", 7)]
SOURCE_TYPES = [("named_person", 30), ("named_organization", 14), ("government", 14),
                ("document", 8), ("unnamed", 12), ("none", 22)]  # fmt: skip
STRENGTHS = {  # sourcing strength by source type, weighted
    "named_person": [("strong", 75), ("moderate", 25)],
    "named_organization": [("strong", 45), ("moderate", 55)],
    "government": [("strong", 80), ("moderate", 20)],
    "document": [("strong", 60), ("moderate", 40)],
    "unnamed": [("weak", 85), ("moderate", 15)],
    "none": [("none", 100)],
}
HEDGE_P = {"approximator": 0.3, "vague_quantity": 0.12, "epistemic": 0.1,
           "reportative": 0.06, "evidential_gap": 0.03}  # fmt: skip
STATUSES = [("unstarted", 72), ("in_progress", 8), ("verified", 7), ("false", 5),
            ("misleading", 3), ("inconclusive", 2), ("dismissed", 3)]  # fmt: skip


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def claims_per_article(rng: random.Random) -> int:
    """Most articles 5-40 claims (log-normal, median ~14); about 1.5% long ones."""
    if rng.random() < 0.015:
        return rng.randint(100, 600)
    return max(2, min(60, round(rng.lognormvariate(2.65, 0.55))))


class _Text:
    """An article's text as it is built, with offsets of what was appended."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, s: str) -> tuple[int, int]:
        start = self.size
        self.parts.append(s)
        self.size += len(s)
        return start, self.size

    def text(self) -> str:
        return "".join(self.parts)


class Generator:
    def __init__(self, seed: int, users: list[int], nonce: str, blobs: bool = True) -> None:
        self.blobs = blobs
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.users = users
        self.nonce = nonce
        self.policy = settings.CONFIDENCE_POLICY
        self.now = datetime.now(UTC)
        self._score_cache: dict = {}

    # One claim sentence: [attribution] claim [attribution]. Returns the claim row
    # (engine-level fields) and its hedges; offsets are into the article's raw text.
    def claim_sentence(self, out: _Text) -> tuple[dict, list[dict]]:
        rng = self.rng
        kind = _pick(rng, KINDS)
        source_type = _pick(rng, SOURCE_TYPES)
        strength = _pick(rng, STRENGTHS[source_type])
        source_text, role = self.source(source_type)
        cats = [
            c for c, p in HEDGE_P.items() if rng.random() < p * (1.6 if kind == "quantity" else 1)
        ]
        hedge_words = {c: rng.choice(HEDGES[c]) for c in cats}
        # The claim's words; hedge cues are (word, category) pieces located later.
        pieces: list[tuple[str, str | None]] = []
        subject = rng.choice(SUBJECTS)
        if "evidential_gap" in hedge_words:
            pieces.append((hedge_words["evidential_gap"], "evidential_gap"))
        pieces.append((subject, None))
        if "reportative" in hedge_words:
            pieces.append((hedge_words["reportative"], "reportative"))
        if "epistemic" in hedge_words and kind != "prediction":
            pieces.append((hedge_words["epistemic"], "epistemic"))
            pieces.append((rng.choice(VERBS_PAST), None))
        elif kind == "prediction":
            pieces.append(
                ("will", None) if "epistemic" not in hedge_words else ("may", "epistemic")
            )
            pieces.append((rng.choice(VERBS_FUTURE), None))
        elif kind == "event":
            pieces.append((rng.choice(EVENT_VERBS), None))
        elif kind == "opinion":
            pieces.append(("said that", None))
        else:
            pieces.append((rng.choice(VERBS_PAST), None))
        if kind == "quantity" or "approximator" in hedge_words:
            pieces.append(("spending of" if kind != "quantity" else "", None))
            if "approximator" in hedge_words:
                pieces.append((hedge_words["approximator"], "approximator"))
            pieces.append((f"{rng.choice([1.2, 3, 14, 27, 45, 120, 350, 2400])}", None))
            pieces.append((rng.choice(UNITS) + " for", None))
        if "vague_quantity" in hedge_words:
            pieces.append((hedge_words["vague_quantity"], "vague_quantity"))
        pieces.append((rng.choice(OBJECTS), None))
        if kind == "opinion":
            pieces.append(("is " + rng.choice(ADJECTIVES), None))
        elif kind == "event":
            pieces.append(("on " + rng.choice(WEEKDAYS), None))
        elif kind == "prediction":
            pieces.append((f"by {rng.randint(2026, 2032)}", None))
        pieces.append(("in " + rng.choice(PLACES), None))
        words = [(w, c) for w, c in pieces if w]

        verb = rng.choice(VERBS_SAY)
        sentence_start = out.size
        src_span = (None, None)
        mention = ""
        lead = source_type != "none" and rng.random() < 0.35
        if lead:
            out.add("According to ")
            src_span = out.add(source_text)
            mention = source_text
            out.add(", ")
        hedges = []
        claim_start = out.size
        for i, (word, cat) in enumerate(words):
            if i:
                out.add(" ")
            if i == 0 and lead is False:
                word = word[0].upper() + word[1:]
            s, e = out.add(word)
            if cat:
                hedges.append({"text": word.rstrip(","), "category": cat, "start": s,
                               "end": s + len(word.rstrip(","))})  # fmt: skip
        claim_end = out.size
        if source_type != "none" and not lead:
            out.add(", ")
            src_span = out.add(source_text)
            mention = source_text
            if role:
                out.add(", " + role + ",")
            out.add(" " + verb)
        out.add(".")
        sentence_end = out.size
        relayed = source_type in ("named_organization", "document") and rng.random() < 0.1
        confidence = self.confidence(strength, source_type, source_text, relayed, hedges)
        score = confidence.score
        cw = (
            rng.betavariate(2.2, 3.0)
            + (0.2 if kind == "quantity" else 0)
            - (0.25 if kind == "opinion" else 0)
        )
        row = {
            "start": claim_start, "end": claim_end,
            "sentence_start": sentence_start, "sentence_end": sentence_end,
            "kind": kind, "origin": "reported" if source_type != "none" else "unsourced",
            "source_text": source_text, "source_type": source_type,
            "source_start": src_span[0], "source_end": src_span[1],
            "source_mention": mention, "source_verb": verb if source_type != "none" else "",
            "source_role": role, "source_via": "", "source_relayed": relayed,
            "sourcing_strength": strength, "confidence_score": score,
            "confidence_level": confidence.level, "confidence_reasons": confidence.reasons,
            "checkworthiness": round(min(1.0, max(0.0, cw)), 4),
        }  # fmt: skip
        return row, hedges

    def source(self, source_type: str) -> tuple[str, str]:
        rng = self.rng
        if source_type == "named_person":
            return f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(ROLES + [""])
        if source_type == "named_organization":
            return rng.choice(ORGS), ""
        if source_type == "government":
            return rng.choice(GOVERNMENT), ""
        if source_type == "document":
            return rng.choice(DOCUMENTS), ""
        if source_type == "unnamed":
            return rng.choice(UNNAMED), ""
        return "", ""

    def confidence(self, strength, source_type, source_text, relayed, hedges):
        key = (strength, source_type, relayed, tuple((h["category"], h["text"]) for h in hedges))
        if key not in self._score_cache:
            engine = EngineClaim(
                text="", start=0, end=1, sentence=Span(0, 1),
                source=Source(text=source_text or None, type=source_type, relayed=relayed),
                sourcing_strength=strength,
                hedges=[Hedge(h["text"], h["category"], h["start"], h["end"]) for h in hedges],
            )  # fmt: skip
            self._score_cache[key] = score_claim(engine, self.policy)
        return self._score_cache[key]

    def article(
        self, index: int, n_claims: int, min_bytes: int = 0
    ) -> tuple[dict, list[dict], list[list[dict]]]:
        rng = self.rng
        out = _Text()
        title = (
            f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS_PAST)} "
            f"{rng.choice(OBJECTS)} in {rng.choice(PLACES)}"
        )
        author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        out.add(f"{title}\nBy {author}\n\n")
        body_offset = out.size
        rows, hedges = [], []
        while len(rows) < n_claims or out.size < min_bytes:
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                out.add(rng.choice(FILLER) + " ")
            for _ in range(max(min(n_claims - len(rows), rng.choice([1, 1, 2, 3])), min_bytes > 0)):
                row, h = self.claim_sentence(out)
                rows.append(row)
                hedges.append(h)
                out.add(" ")
            out.add("\n\n")
        out.add(f"(Corpus {self.nonce}-{index}.)\n")
        raw = out.text()
        for row in rows:
            row["text"] = raw[row["start"] : row["end"]]
            row["fingerprint"] = fingerprint(row["text"])
        published = self.now - timedelta(days=rng.random() * 365)
        analysis_data = self.analysis_blob(raw, rows) if self.blobs else {}
        created = published + timedelta(minutes=rng.randint(5, 600))
        art = {
            "title": title, "author": author, "publication": rng.choice(
                ["The Daily Ledger", "Harbour Times", "Metro Courier", "The Valley Post"]),
            "published_at": published, "dateline": rng.choice(["", "CAPITAL", "HARBOUR CITY"]),
            "source_url": f"{MARKER}{self.nonce}/{index}", "raw_text": raw,
            "body_offset": body_offset, "content_hash": content_hash(raw),
            "state": AnalysisState.ANALYZED, "attempts": 1, "times_analyzed": 1,
            "run_id": secrets.token_hex(8), "queued_at": created, "analysis_data": analysis_data,
            "started_at": created + timedelta(seconds=2),
            "finished_at": created + timedelta(seconds=2 + len(raw) / 4000),
            "created_at": created, "updated_at": created + timedelta(seconds=3),
        }  # fmt: skip
        return art, rows, hedges

    @staticmethod
    def analysis_blob(raw: str, rows: list[dict]) -> dict:
        """The engine's extraction as the pipeline leaves it on the article, about as
        big (~800 bytes a claim: sentences with token spans and entities, claim
        states). Approximate in shape: it is there for its weight, not to be re-read
        by a pipeline step (a re-analysis extracts again)."""
        sentences, claims = [], []
        for i, r in enumerate(rows):
            ss, se = r["sentence_start"], r["sentence_end"]
            tokens, pos = [], ss
            for word in raw[ss:se].split(" "):
                tokens.append([pos, pos + len(word)])
                pos += len(word) + 1
            entities = [[r["source_text"], "PERSON", r["source_start"], r["source_end"]]]
            sentences.append({"start": ss, "end": se, "tokens": tokens, "entities": entities})
            claims.append({
                "text": r["text"], "start": r["start"], "end": r["end"],
                "sentence": {"start": ss, "end": se}, "kind": r["kind"],
                "frame": {"verb": r["source_verb"], "source": r["source_text"]} if r["source_text"]
                else None, "origin": r["origin"], "sentence_index": i, "quoted": False,
                "checkworthiness": r["checkworthiness"],
            })  # fmt: skip
        return {"meta": {"generated": True}, "sentences": sentences, "claims": claims}

    def editorial(self, row: dict, created: datetime) -> tuple[list[dict], list[dict]]:
        """Status, assignee and version of a claim; its StatusChange and ClaimChange rows."""
        rng = self.rng
        status = _pick(rng, STATUSES)
        # Low confidence and check-worthy claims are worked on more often.
        low = row["confidence_level"] in ("very_low", "low")
        if status == "unstarted" and low and rng.random() < 0.15:
            status = "in_progress"
        assignee = None
        if self.users and (status != "unstarted" or rng.random() < 0.08):
            assignee = rng.choice(self.users)
        path = {"unstarted": [], "in_progress": ["in_progress"], "dismissed": ["dismissed"]}.get(
            status, ["in_progress", status]
        )
        t = created + timedelta(minutes=rng.randint(10, 60 * 24 * 3))
        changes, steps, previous = [], [], "unstarted"
        if assignee is not None:
            changes.append({"user_id": assignee, "action": "assign",
                            "changes": {"assignee": [None, assignee]}, "note": "",
                            "created_at": t})  # fmt: skip
        for to in path:
            t += timedelta(minutes=rng.randint(5, 60 * 24))
            note = "" if to == "in_progress" else rng.choice(
                ["Checked against the budget.", "The figure matches the audit.",
                 "No record supports it.", "Source confirmed by phone.", ""])  # fmt: skip
            steps.append({"user_id": assignee, "from_status": previous, "to_status": to,
                          "note": note, "created_at": t})  # fmt: skip
            previous = to
        row.update(
            status=status, assignee_id=assignee, updated_by_id=assignee if path else None,
            version=1 + len(path) + len(changes), created_at=created,
            updated_at=t if (path or changes) else created,
        )  # fmt: skip
        return steps, changes


# --- writing -----------------------------------------------------------------------
# Table and column names below come from the models' _meta, quoted; never from input.


def _columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


# Field types whose Python values go to the database as they are (no adaptation).
_PLAIN = {
    "AutoField", "BigAutoField", "SmallAutoField", "BooleanField", "CharField", "TextField",
    "FloatField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "ForeignKey",
}  # fmt: skip


def _default(field: models.Field, now: datetime):
    """What a column the generator does not set gets, prepared for the database."""
    if field.has_default():
        value = field.get_default()
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now
    elif field.null:
        value = None
    elif field.blank and isinstance(field, models.CharField | models.TextField):
        value = ""
    else:
        raise CommandError(
            f"generate_corpus does not know how to fill {field.model.__name__}.{field.name}"
        )
    return field.get_db_prep_save(value, connection)


def _converters(fields: list[models.Field], now: datetime, sample: dict) -> list:
    """Per column, a function of a row dict (every row of a batch sets the same keys
    as ``sample``) to the value for the database."""
    out = []
    for f in fields:
        missing = None if f.attname in sample else _default(f, now)
        if f.get_internal_type() in _PLAIN:
            out.append(lambda row, a=f.attname, m=missing: row.get(a, m))
        else:
            prep = f.get_db_prep_save
            out.append(
                lambda row, a=f.attname, m=missing, p=prep: p(row[a], connection) if a in row else m
            )
    return out


def reserve_ids(model, n: int) -> list[int]:
    """n fresh primary keys for explicit inserts."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, n],
            )
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX("{model._meta.pk.column}"), 0) FROM "{table}"')  # noqa: S608
        top = cur.fetchone()[0]
    return list(range(top + 1, top + n + 1))


def write(model, rows: list[dict], now: datetime) -> None:
    if not rows:
        return
    fields = _columns(model)
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    table = qn(model._meta.db_table)
    convert = _converters(fields, now, rows[0])
    values = ([c(row) for c in convert] for row in rows)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values))  # noqa: S608


def hanging_off(root) -> list:
    """``root`` and every model of this app whose rows point at it, directly or
    through another (claims, their history, hedges, evidence, and whatever is added
    later), with the tables of their many-to-many fields: what --clear empties
    together (PostgreSQL's TRUNCATE takes every referencing table at once)."""
    seen, todo = [], [root]
    while todo:
        model = todo.pop()
        if model in seen or model._meta.app_label != root._meta.app_label:
            continue
        seen.append(model)
        # Hidden reverse relations too (related_name="+"): they still hold a foreign key.
        for rel in model._meta.get_fields(include_hidden=True):
            if rel.auto_created and not rel.concrete:
                todo.append(rel.through if rel.many_to_many else rel.related_model)
        todo += [f.remote_field.through for f in model._meta.many_to_many]
    return seen


class Command(BaseCommand):
    help = "Fill the database with a generated corpus of articles and claims (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, required=True, help="how many claims to add")
        parser.add_argument("--seed", type=int, default=None, help="random seed (reproducible)")
        parser.add_argument(
            "--articles-per-batch", type=int, default=200, help="articles per COPY/INSERT batch"
        )
        parser.add_argument(
            "--no-analysis-data",
            action="store_true",
            help="leave Article.analysis_data empty (by default it is as big as the engine's)",
        )
        parser.add_argument(
            "--big-article-kb",
            type=int,
            default=0,
            help="then add one article of at least this many KB, with as many claims as it "
            "holds (issue 12's long-article targets: 1000 is the 1 MB ingest limit)",
        )
        parser.add_argument(
            "--clear", action="store_true", help="empty articles, claims and history first"
        )
        parser.add_argument(
            "--force", action="store_true", help="with --clear: even non-generated articles"
        )

    def handle(self, *args, claims: int, seed, articles_per_batch: int, clear: bool, force: bool,
               no_analysis_data: bool = False, big_article_kb: int = 0,
               **options):  # fmt: skip
        if claims < 0 or articles_per_batch < 1:
            raise CommandError("--claims must be >= 0 and --articles-per-batch >= 1")
        if settings.DJANGO_ENV == "production":
            raise CommandError("generate_corpus refuses to run with DJANGO_ENV=production")
        started = time.perf_counter()
        if clear:
            self.clear(force)
        users = self.assignees()
        seed = seed if seed is not None else secrets.randbits(32)
        nonce = f"{seed:x}-{secrets.token_hex(3)}"
        gen = Generator(seed, users, nonce, blobs=not no_analysis_data)
        made = {"articles": 0, "claims": 0, "hedges": 0, "status_changes": 0}
        index = 0
        while made["claims"] < claims:
            with transaction.atomic():
                batch = []
                for _ in range(articles_per_batch):
                    if made["claims"] >= claims:
                        break
                    n = min(claims_per_article(gen.rng), claims - made["claims"])
                    batch.append(gen.article(index, n))
                    index += 1
                    made["claims"] += n
                self.write_batch(gen, batch, made)
        if big_article_kb > 0:
            with transaction.atomic():
                art, rows, hedges = gen.article(index, 1, min_bytes=big_article_kb * 1024)
                self.write_batch(gen, [(art, rows, hedges)], made)
                made["claims"] += len(rows)
                kb = len(art["raw_text"].encode()) / 1024
                self.stdout.write(f"long article {art['id']}: {kb:.0f} KB, {len(rows)} claims")
        if connection.vendor == "postgresql":
            # Leave the tables as autovacuum would after a bulk load: statistics for
            # the planner, and (outside a transaction) the visibility map that lets
            # counts and key lookups be index-only scans instead of heap reads.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cur:
                for model in (Article, Claim, HedgeCue, StatusChange, ClaimChange):
                    cur.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{made['articles']} articles, {made['claims']} claims, {made['hedges']} hedge cues, "
            f"{made['status_changes']} status changes in {elapsed:.1f} s "
            f"(seed {seed}, {connection.vendor})"
        )

    def write_batch(self, gen: Generator, batch, made: dict) -> None:
        art_ids = reserve_ids(Article, len(batch))
        n_claims = sum(len(rows) for _, rows, _ in batch)
        claim_ids = iter(reserve_ids(Claim, n_claims))
        articles, claims, hedges, steps, changes = [], [], [], [], []
        for art_id, (art, rows, claim_hedges) in zip(art_ids, batch, strict=True):
            art["id"] = art_id
            articles.append(art)
            for position, (row, hs) in enumerate(zip(rows, claim_hedges, strict=True)):
                cid = next(claim_ids)
                row.update(id=cid, article_id=art_id, position=position)
                s, c = gen.editorial(row, art["finished_at"])
                claims.append(row)
                hedges += [{**h, "claim_id": cid} for h in hs]
                steps += [{**x, "claim_id": cid} for x in s]
                changes += [{**x, "claim_id": cid} for x in c]
        for model, rows in ((Article, articles), (Claim, claims), (HedgeCue, hedges),
                            (StatusChange, steps), (ClaimChange, changes)):  # fmt: skip
            if rows and model is not Article and model is not Claim:
                for i, pk in zip(range(len(rows)), reserve_ids(model, len(rows)), strict=True):
                    rows[i]["id"] = pk
            write(model, rows, gen.now)
        made["articles"] += len(articles)
        made["hedges"] += len(hedges)
        made["status_changes"] += len(steps)

    def assignees(self) -> list[int]:
        """Editors and fact-checkers (the demo users among them), and generated
        checkers so that the work is spread over a newsroom, not two people."""
        User = get_user_model()
        ensure_roles()  # a flushed database (tests) has no role groups
        group = Group.objects.filter(name=FACT_CHECKER).first()
        for i in range(1, GENERATED_USERS + 1):
            user, created = User.objects.get_or_create(username=f"corpus_checker_{i:02d}")
            if created:
                user.set_unusable_password()
                user.save()
                if group:
                    user.groups.add(group)
        return list(
            User.objects.filter(groups__name__in=[EDITOR, FACT_CHECKER], is_active=True)
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")
        )

    def clear(self, force: bool) -> None:
        others = Article.objects.exclude(source_url__startswith=MARKER).count()
        if others and not force:
            raise CommandError(
                f"--clear refuses: {others} article(s) were not generated by this command "
                "(use --force to delete them too)"
            )
        models_ = hanging_off(Article)
        written = {Article, Claim, HedgeCue, StatusChange, ClaimChange}
        for model in models_:
            n = 0 if model in written else model._default_manager.count()
            if n and not force:
                raise CommandError(
                    f"--clear refuses: {model._meta.db_table} holds {n} row(s) this command "
                    "did not write (use --force to delete them too)"
                )
        tables = [m._meta.db_table for m in reversed(models_)]  # children first
        qn = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # TRUNCATE fires no row trigger: history is append-only for UPDATE/DELETE.
                # Deferred foreign-key checks of this transaction must run first.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute(f"TRUNCATE {', '.join(qn(t) for t in tables)}")
            else:
                for t in tables:
                    cur.execute(f"DELETE FROM {qn(t)}")  # noqa: S608
        self.stdout.write(f"cleared {', '.join(tables)}")
