"""ClaimFilter's filters and its form's fields are copied for each list, one copy
per filter and per field instead of deep copies (claims/filters.py): what one list
sets on them must stay its own, and the lists must still filter."""

import pytest
from django.http import QueryDict

from claims.filters import ClaimFilter
from claims.models import Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def filterset(query: str) -> ClaimFilter:
    return ClaimFilter(QueryDict(query), queryset=Claim.objects.all())


def test_each_list_has_its_own_filters_and_fields():
    one, two = filterset("status=unstarted"), filterset("status=verified")
    for name in ClaimFilter.base_filters:
        assert one.filters[name] is not two.filters[name]
        assert one.filters[name] is not ClaimFilter.base_filters[name]
        assert one.form.fields[name] is not two.form.fields[name]
        assert one.filters[name].parent is one and two.filters[name].parent is two
    one.form.fields["status"].required = True
    one.form.fields["article"].queryset = Claim.objects.none()
    assert not two.form.fields["status"].required
    assert two.form.fields["article"].queryset.model.__name__ == "Article"
    assert not filterset("").form.fields["status"].required


def test_the_lists_filter_as_their_own_query_says():
    unstarted = ClaimFactory(status="unstarted")
    verified = ClaimFactory(status="verified", start=20, end=30)
    first, second = filterset("status=unstarted"), filterset("status=verified")
    assert first.is_valid() and second.is_valid()
    assert list(first.qs) == [unstarted] and list(second.qs) == [verified]
    bad = filterset("status=nonsense")
    assert not bad.is_valid() and "status" in bad.errors
    assert filterset("status=unstarted").is_valid()  # the error stayed with its list
