"""factory_boy factories and role helpers shared by the tests."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.domain import content_hash, fingerprint
from claims.models import Article, Claim
from claims.roles import EDITOR, FACT_CHECKER, VIEWER, ensure_roles

PASSWORD = "pw-for-tests-1"
ARTICLE_TEXT = (
    "Dam inspection disputed\n\n"
    "RIVERTON - The county engineer, Ana Ruiz, said on Monday that the dam had passed "
    "its last inspection. Residents said as many as 40 homes had flooded."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.set_password(PASSWORD)
        self.save()
        if extracted:
            if not Group.objects.filter(name=extracted).exists():
                ensure_roles()  # a transactional test flushed the migrations' groups
            self.groups.add(Group.objects.get(name=extracted))


def editor(**kw):
    return UserFactory(username=kw.pop("username", "editor"), role=EDITOR, is_staff=True, **kw)


def checker(**kw):
    return UserFactory(username=kw.pop("username", "checker"), role=FACT_CHECKER, **kw)


def viewer(**kw):
    return UserFactory(username=kw.pop("username", "viewer"), role=VIEWER, **kw)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    raw_text = factory.Sequence(lambda n: ARTICLE_TEXT + f" Update {n}.")
    content_hash = factory.LazyAttribute(lambda o: content_hash(o.raw_text))
    title = "Dam inspection disputed"
    state = "analyzed"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    start = factory.Sequence(lambda n: n * 10 + 30)
    end = factory.LazyAttribute(lambda o: o.start + 9)
    # The article's text at the span; past the end of a short article (the sequence
    # grows with every claim a test run makes, in whatever order the tests run) a
    # text of its own, never an empty claim (an invisible link in the browser).
    text = factory.LazyAttributeSequence(
        lambda o, n: o.article.raw_text[o.start : o.end] or f"Claim number {n} of the test"
    )
    sentence_start = factory.LazyAttribute(lambda o: o.start)
    sentence_end = factory.LazyAttribute(lambda o: o.end)
    fingerprint = factory.LazyAttribute(lambda o: fingerprint(o.text))
    source_text = "Ana Ruiz"
    source_type = "named_person"
    sourcing_strength = "strong"
    confidence_score = 0.9
    confidence_level = "high"
