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

from datetime import datetime

from django.conf import settings
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from claims.domain import as_pk
from claims.selectors import (
    Key,
    keyset_after,
    keyset_order,
    keyset_position,
    keyset_token,
    keyset_untoken,
    keyset_value,
)


def _id(descending: bool = False) -> Key:
    return Key("id", descending, int)


# Unscored claims (analysis not finished) sort after the scored ones either way.
# Each ordering is the column list of an index of claims.models.Claim (the default
# one claim_score_order: score_key is COALESCE(confidence_score, 2.0), stored), so
# a page is a range scan of that index, never a sort of the matching rows.
CLAIM_ORDERINGS: dict[str, list[Key]] = {
    "confidence_score": [Key("score_key"), Key("checkworthiness", True), _id()],
    "-confidence_score": [
        Key("score_desc_key", True, float, Coalesce(F("confidence_score"), Value(-1.0))),
        Key("checkworthiness", True),
        _id(),
    ],
    # Ties newest id first, as "-created": claim_worth_order (checkworthiness DESC,
    # id) read backwards; with id ascending no index served it and every page
    # sorted the whole table (483 ms at a million claims).
    "checkworthiness": [Key("checkworthiness"), _id(True)],
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
    return keyset_order(qs, keys)


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
            qs = qs.filter(keyset_after(self.keys, position, backwards))
        rows = self._fetch(view, qs, self.page_size + 1)
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
        size = as_pk(raw)  # digits, and few enough for int()
        if size is None or not 1 <= size <= limit:
            raise ValidationError({"page_size": [f"Must be a whole number from 1 to {limit}."]})
        return size

    def _fetch(self, view, qs: QuerySet, limit: int) -> list:
        """The page's rows: model instances, or what the view's ``page_rows(qs,
        limit, key_names)`` reads instead (it must read the sort keys too)."""
        page_rows = getattr(view, "page_rows", None)
        if page_rows is None:
            return list(qs[:limit])
        return page_rows(qs, limit, [key.name for key in self.keys])

    def _position(self, row) -> list:
        return keyset_position(row, self.keys)

    def _link(self, position, backwards: bool, exists: bool) -> str | None:
        if not exists or position is None:
            return None
        url = self.request.build_absolute_uri()
        token = keyset_token({"o": self.ordering, "p": position, "b": backwards})
        return replace_query_param(url, self.cursor_query_param, token)

    def _decode(self, token: str | None) -> tuple[list | None, bool]:
        if token is None:
            return None, False
        try:
            data = keyset_untoken(token)
            position = [keyset_value(k, v) for k, v in zip(self.keys, data["p"], strict=True)]
            if data["o"] != self.ordering or not isinstance(data["b"], bool):
                raise ValueError("cursor of another ordering")
        except (ValueError, TypeError, KeyError):
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
