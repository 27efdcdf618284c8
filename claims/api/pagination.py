"""Ordering and keyset ("cursor") pagination for the API's lists.

DRF's CursorPagination positions a cursor on the first ordering field only and
counts an offset through ties. Confidence scores are products of a few policy
numbers, so thousands of claims share one score: the offset grows past DRF's
cut-off and pages repeat. Its position also breaks on NULL (an unscored claim).
Here the cursor holds the full sort key, ending in the primary key, so a page is
one indexed range query whatever the ties, and nothing is skipped or repeated
when claims are added between two pages.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


@dataclass(frozen=True)
class Key:
    """One component of a sort key: a model field or an annotation."""

    name: str
    descending: bool = False
    kind: type = float
    expression: object = None  # annotate ``name`` with it; None: ``name`` is a field


def _id(descending: bool = False) -> Key:
    return Key("id", descending, int)


# Unscored claims (analysis not finished) sort after the scored ones either way.
CLAIM_ORDERINGS: dict[str, list[Key]] = {
    "confidence_score": [
        Key("score_key", False, float, Coalesce(F("confidence_score"), Value(2.0))),
        Key("checkworthiness", True),
        _id(),
    ],
    "-confidence_score": [
        Key("score_key", True, float, Coalesce(F("confidence_score"), Value(-1.0))),
        Key("checkworthiness", True),
        _id(),
    ],
    "checkworthiness": [Key("checkworthiness"), _id()],
    "-checkworthiness": [Key("checkworthiness", True), _id()],
    "created": [Key("created_at", False, datetime), _id()],
    "-created": [Key("created_at", True, datetime), _id(True)],
}
CLAIM_DEFAULT_ORDERING = "confidence_score"  # worst first
ARTICLE_ORDERINGS = {"-created": [Key("created_at", True, datetime), _id(True)]}


def ordering_name(request, view) -> str:
    """The ``ordering`` query parameter, checked against the view's orderings."""
    value = request.query_params.get("ordering", view.default_ordering)
    if value not in view.orderings:
        raise ValidationError({"ordering": [f"Must be one of: {', '.join(view.orderings)}."]})
    return value


def apply_ordering(qs: QuerySet, keys: list[Key]) -> QuerySet:
    annotations = {k.name: k.expression for k in keys if k.expression is not None}
    order = [f"-{k.name}" if k.descending else k.name for k in keys]
    return qs.annotate(**annotations).order_by(*order)


def _after(keys: list[Key], position: list, backwards: bool) -> Q:
    """Rows strictly after ``position`` in the order of ``keys`` (before, if backwards):
    (k1 > v1) or (k1 = v1 and k2 > v2) or ..., with < for descending keys."""
    result = Q()
    equal = Q()
    for key, value in zip(keys, position, strict=True):
        greater = key.descending == backwards
        step = Q(**{f"{key.name}__{'gt' if greater else 'lt'}": value})
        result |= equal & step
        equal &= Q(**{key.name: value})
    return result


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.ordering = ordering_name(request, view)
        self.keys = view.orderings[self.ordering]
        self.page_size = self._page_size(request)
        position, backwards = self._decode(request.query_params.get(self.cursor_query_param))
        qs = apply_ordering(queryset, self.keys)
        if backwards:
            qs = qs.reverse()
        if position is not None:
            qs = qs.filter(_after(self.keys, position, backwards))
        rows = list(qs[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        # Going forwards, a cursor means there is something before; going back, we
        # came from a page after this one.
        self.has_next = backwards or more
        self.has_previous = (more if backwards else position is not None) and bool(rows)
        self.first = self._position(rows[0]) if rows else None
        self.last = self._position(rows[-1]) if rows else None
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.last, False, self.has_next),
                "previous": self._link(self.first, True, self.has_previous),
                "results": data,
            }
        )

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.API_PAGE_SIZE
        limit = settings.API_MAX_PAGE_SIZE
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= limit:
            raise ValidationError({"page_size": [f"Must be a whole number from 1 to {limit}."]})
        return int(raw)

    def _position(self, row) -> list:
        values = [getattr(row, k.name) for k in self.keys]
        return [v.isoformat() if isinstance(v, datetime) else v for v in values]

    def _link(self, position, backwards: bool, exists: bool) -> str | None:
        if not exists or position is None:
            return None
        url = self.request.build_absolute_uri()
        payload = json.dumps({"o": self.ordering, "p": position, "b": backwards})
        token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return replace_query_param(url, self.cursor_query_param, token)

    def _decode(self, token: str | None) -> tuple[list | None, bool]:
        if token is None:
            return None, False
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(raw.decode())
            position = [_typed(k, v) for k, v in zip(self.keys, data["p"], strict=True)]
            if data["o"] != self.ordering or not isinstance(data["b"], bool):
                raise ValueError("cursor of another ordering")
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
            raise ValidationError(
                {"cursor": ["Invalid cursor: use the next and previous links as given."]}
            ) from None
        return position, data["b"]

    def get_schema_operation_parameters(self, view):
        size = {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE}
        return [
            _parameter(
                self.cursor_query_param,
                {"type": "string"},
                "The cursor of a next or previous link.",
            ),
            _parameter(
                self.page_size_query_param,
                size,
                f"Results per page (default {settings.API_PAGE_SIZE}).",
            ),
            _parameter(
                "ordering",
                {"type": "string", "enum": [*view.orderings]},
                f"Sort order (default {view.default_ordering}); ties broken by id.",
            ),
        ]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


def _parameter(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _typed(key: Key, value):
    """A cursor value of the type its key has; anything else is a forged cursor."""
    if key.kind is datetime:
        if not isinstance(value, str):
            raise TypeError(value)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    if key.kind is int:
        if not isinstance(value, int) or not 0 <= value < 2**63:
            raise ValueError(value)
        return value
    if not math.isfinite(value):
        raise ValueError(value)
    return float(value)
