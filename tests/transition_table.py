"""Who may move a claim where, written out from the workflow issue (not derived
from the code), for the service, admin and API matrix tests."""

from claims.models import ClaimStatus as S

VERDICTS = [S.VERIFIED, S.FALSE, S.MISLEADING, S.INCONCLUSIVE]
EXPECTED = {
    (S.UNSTARTED, S.IN_PROGRESS): {"checker", "editor"},
    (S.IN_PROGRESS, S.UNSTARTED): {"checker", "editor"},
    (S.UNSTARTED, S.DISMISSED): {"checker", "editor"},
    (S.IN_PROGRESS, S.DISMISSED): {"checker", "editor"},
    (S.DISMISSED, S.UNSTARTED): {"editor"},
    **{(S.IN_PROGRESS, v): {"editor"} for v in VERDICTS},
    **{(v, S.IN_PROGRESS): {"editor"} for v in VERDICTS},
}
# Also allowed to these roles when they made the step themselves: a fact-checker
# restores a claim they dismissed (their own mistake), not anyone else's.
OWN = {(S.DISMISSED, S.UNSTARTED): {"checker"}}
# What a move needs besides a note: a dismiss names its reason.
EXTRA = {S.DISMISSED: {"dismiss_reason": "opinion"}}
PAIRS = [(a, b) for a in S.values for b in S.values if a != b]
