"""The API's JSON renderer (orjson) writes what DRF's own JSONRenderer wrote: the
same bytes for what our documents hold, DRF's rendering where orjson cannot."""

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils.functional import lazy
from rest_framework import renderers as drf
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from claims.api.renderers import JSONRenderer
from claims.models import ConfidenceLevel


@dataclasses.dataclass
class Point:
    x: int
    y: float


def lazy_text(text):
    return lazy(lambda: text, str)()


DOCUMENTS = [
    {},
    [],
    {"text": "Casualties in Homs: “unconfirmed” — ünïcødé, 中文, emoji 🙂, tab\t, nl\n"},
    {"sep": "line\u2028separator\u2029paragraph", "quote": '"', "slash": "\\/</script>"},
    {"when": datetime(2026, 12, 3, 17, 5, 16, 123456, tzinfo=UTC)},
    {"when": datetime(2026, 12, 3, 17, 5, 16), "day": date(2026, 12, 3), "at": time(9, 30)},
    {"span": timedelta(days=1, seconds=5), "money": Decimal("1.10"), "id": uuid.UUID(int=7)},
    {"lazy": lazy_text("Translated later"), "detail": ErrorDetail("Bad.", code="invalid")},
    {1: "int key", None: "none key", 2.5: "float key"},
    {"tuple": (1, 2), "set": {3}},
    ReturnDict({"a": ReturnList([1, 2], serializer=None)}, serializer=None),
    {"numbers": [0, -1, 2**63 - 1, 0.5, 0.1, 1.0, 0.333, 1e-7, 123456.789]},
    {"level": ConfidenceLevel.LOW, "flags": [True, False, None]},
]


@pytest.mark.parametrize("data", DOCUMENTS)
def test_the_document_is_drfs(data):
    ours, theirs = JSONRenderer().render(data), drf.JSONRenderer().render(data)
    assert json.loads(ours) == json.loads(theirs)
    floats = "numbers" in data
    if not floats:  # orjson writes some floats shorter (1e-07), as valid JSON
        assert ours == theirs


def test_line_and_paragraph_separators_are_escaped_as_drf_does():
    body = JSONRenderer().render({"t": "a\u2028b\u2029c"})
    assert body == b'{"t":"a\\u2028b\\u2029c"}'


def test_what_orjson_cannot_write_is_rendered_by_drf():
    deep: list = []
    for _ in range(400):  # past orjson's 255 levels; DRF writes it
        deep = [deep]
    assert JSONRenderer().render(deep) == drf.JSONRenderer().render(deep)
    huge = {"n": 2**70}
    assert JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'


def test_what_neither_can_write_fails_as_before():
    for renderer in (JSONRenderer(), drf.JSONRenderer()):
        with pytest.raises(TypeError, match="not JSON serializable"):
            renderer.render({"point": Point(1, 2.5)})


def test_an_indent_asked_for_is_drfs():
    media = "application/json; indent=2"
    data = {"a": [1, 2], "b": {"c": None}}
    assert JSONRenderer().render(data, media) == drf.JSONRenderer().render(data, media)
    assert b"\n  " in JSONRenderer().render(data, media)


def test_nothing_is_empty():
    assert JSONRenderer().render(None) == b""


def test_a_nan_is_null_not_an_error():
    assert JSONRenderer().render({"score": float("nan")}) == b'{"score":null}'
    with pytest.raises(ValueError):
        drf.JSONRenderer().render({"score": float("nan")})


def test_the_api_uses_it(settings):
    from rest_framework.settings import api_settings

    assert [JSONRenderer] == api_settings.DEFAULT_RENDERER_CLASSES


def test_a_lone_surrogate_is_written_escaped_not_an_error():
    data = {"to": ['"\ud800" is not a valid choice.'], "city": "Zürich"}
    body = JSONRenderer().render(data)
    assert body == b'{"to":["\\"\\ud800\\" is not a valid choice."],"city":"Z\\u00fcrich"}'
    assert json.loads(body) == data
    indented = JSONRenderer().render(data, "application/json; indent=2")
    assert json.loads(indented) == data
