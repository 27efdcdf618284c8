"""The re-ranker's prepared form scores as the plain formula does, and the trigrams
that order stage 1's candidates are pg_trgm's (tests/services/test_matching_postgres.py
compares them with PostgreSQL's own)."""

from __future__ import annotations

import pytest

from claims.analysis import similarity
from claims.analysis.similarity import _cosine, _grams, prepare, trigram_similarity, trigrams

TEXTS = [
    "The mayor said the old river bridge would reopen in May after repairs costing $4 million.",
    "The mayor said the old iron bridge would reopen in June after repairs costing $4 million.",
    "Fishermen reported silt in the harbour, the the the.",
    "COVID-19 vaccines: covid19 vaccinated, Vaccines!",
    "",
    "the of and",  # function words only: no terms
]


def test_a_prepared_pair_scores_as_the_formula():
    for a in TEXTS:
        for b in TEXTS:
            plain = 0.5 * similarity.word_overlap(
                similarity.terms(a), similarity.terms(b)
            ) + 0.5 * _cosine(_grams(a), _grams(b))
            assert similarity.similarity(prepare(a), prepare(b)) == plain, (a, b)


def test_prepared_texts_are_kept_by_text_not_by_claim():
    # The process keeps prepared texts: the same text gives the same (shared) entry,
    # another text its own, so a claim whose text changed is never scored as before.
    assert prepare("The bridge reopened.") is prepare("The bridge reopened.")
    changed = prepare("The bridge stayed closed.")
    assert changed.terms == ("bridge", "stayed", "closed")
    assert similarity.similarity(prepare("The bridge reopened."), changed) < 1.0


def test_trigrams_are_pg_trgms():
    # show_trgm('Bridge, 4 km'): each alphanumeric run lower-cased, "  " before, " " after.
    assert trigrams("Bridge, 4 km") == {
        "  b",
        " br",
        "bri",
        "rid",
        "idg",
        "dge",
        "ge ",
        "  4",
        " 4 ",
        "  k",
        " km",
        "km ",
    }
    assert trigrams("a_b") == trigrams("a b")  # the underscore separates words
    assert trigrams("!!") == frozenset() and trigram_similarity(trigrams(""), trigrams("a")) == 0
    a, b = trigrams("old river bridge"), trigrams("old iron bridge")
    shared = len(a & b)
    assert trigram_similarity(a, b) == pytest.approx(shared / (len(a) + len(b) - shared), rel=1e-7)
    assert trigram_similarity(trigrams("\u0130stanbul"), trigrams("istanbul")) == 1.0


def test_other_numbers_separate_words_as_in_pg_trgm():
    # Python counts "\u00b2", "\u00bd", "\u2082" (category No) as alphanumeric, the C
    # library's iswalnum does not: show_trgm('CO\u2082 2\u00bd km\u00b2') is that of 'CO 2 km',
    # and similarity('CO\u2082 emissions rose 2\u00bd percent', 'CO2 emissions rose 2 percent')
    # is 0.9 in PostgreSQL.
    assert trigrams("CO\u2082 2\u00bd km\u00b2") == trigrams("CO 2 km")
    assert trigrams("\u00bd\u00be") == frozenset()
    assert trigrams("x\u00b9y") == trigrams("x y")
    a = trigrams("CO\u2082 emissions rose 2\u00bd percent")
    b = trigrams("CO2 emissions rose 2 percent")
    assert trigram_similarity(a, b) == pytest.approx(0.9, rel=1e-7)


def test_trigrams_in_a_database_whose_ctype_is_c():
    # In a database made with LC_CTYPE C, pg_trgm's words are ASCII letters and digits
    # only: show_trgm('Caf\u00e9 na\u00efve') there is {"  c"," ca","caf","af ","  n",
    # " na","na ","  v"," ve","ve "}, and similarity('caf\u00e9', 'cafe') is 0.5.
    assert trigrams("Caf\u00e9 na\u00efve", True) == {
        "  c", " ca", "caf", "af ", "  n", " na", "na ", "  v", " ve", "ve "
    }  # fmt: skip
    assert trigram_similarity(trigrams("caf\u00e9", True), trigrams("cafe", True)) == 0.5
    assert trigrams("Bridge, 4 km", True) == trigrams("Bridge, 4 km")


def test_only_texts_up_to_cached_chars_are_kept():
    """The per-process caches keep short texts (claims, nearly all) and make a long one
    anew each time, so their memory is bounded by count and length together."""
    short = "The mayor said the bridge would reopen in May."
    long = "The council said " + "the bridge would reopen and " * 30 + "then close."
    assert len(short) <= similarity.CACHED_CHARS < len(long)
    assert similarity.prepare(short) is similarity.prepare(short)
    assert similarity.trigrams(short) is similarity.trigrams(short)
    assert similarity.prepare(long) is not similarity.prepare(long)
    assert similarity.prepare(long) == similarity.prepare(long)
    assert similarity.trigrams(long) == similarity.trigrams(long)
    assert similarity.trigrams(long) is not similarity.trigrams(long)


_SCORES_OF_THIS_PROCESS = """
from claims.analysis import similarity
texts = [
    "The county jobless rate dropped to 3% last year, the labour office said.",
    "Unemployment in the county fell to 3 percent last year, officials said.",
    "Repairs done, the bridge on the river will be open again by May.",
    "The council said the bridge over the river would reopen in May after repairs.",
    "Sheriff Dale Ortiz said the flood had killed 12 people in the valley.",
    "The flood killed at least 12 people and injured 30 in the valley, police said.",
]
idf = similarity.idf_table([similarity.terms(t) for t in texts * 3], size=1000)
idf.update({w: 1.0 + len(w) / 7 for w in similarity.terms(" ".join(texts))[::3]})
prepared = [similarity.prepare(t) for t in texts]
print([similarity.similarity(a, b, idf).hex() for a in prepared for b in prepared])
"""


def test_a_weighted_score_is_the_same_in_every_process():
    """The weighted word overlap summed its terms in the order of a set of strings,
    which is a process's hash seed's: the same two texts scored a few last bits
    apart in two workers, and a pair at the threshold (or at a stage-1 cut between
    equal scores) was suggested by one and not by the other. The unweighted overlap
    counts integers, exact in any order."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(similarity.__file__).resolve().parents[2]
    seen = set()
    for seed in range(1, 9):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        run = subprocess.run(
            [sys.executable, "-c", _SCORES_OF_THIS_PROCESS],
            cwd=root, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        seen.add(run.stdout)
    assert len(seen) == 1
