"""factory_boy factories. They write through the ORM for speed of setup; tests of write paths use services."""

import datetime

import factory
from django.contrib.auth import get_user_model

from positions.choices import Stance
from positions.models import Position
from sources.models import Citation, Source
from tracker.choices import ActorKind, EditorialStatus
from tracker.models import Actor, Claim, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = ActorKind.PERSON


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    title = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    question = factory.LazyAttribute(lambda o: f"Should we {o.title.lower()}?")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example.org/article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    speaker = factory.SubFactory(ActorFactory)
    text = factory.Sequence(lambda n: f"Statement number {n}.")
    stated_on = datetime.date(2025, 2, 17)
    status = EditorialStatus.DRAFT


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    excerpt = "the exact words"


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    actor = factory.SubFactory(ActorFactory)
    topic = factory.SubFactory(TopicFactory)
    stance = Stance.SUPPORT
    as_of = datetime.date(2025, 2, 17)
    status = EditorialStatus.DRAFT
