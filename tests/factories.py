"""Factories for tests. Registry records are built through the services, as every door does."""

import datetime

import factory

from parcours.accounts.models import Membership, Organisation, Programme, User
from parcours.territories.models import Zone


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ZZ{n:04d}")
    name = factory.Sequence(lambda n: f"Zone {n}")
    name_ar = factory.Sequence(lambda n: f"منطقة {n}")
    parent = None
    level = factory.LazyAttribute(lambda z: (z.parent.level + 1) if z.parent else 0)
    path = factory.LazyAttribute(lambda z: f"{z.parent.path}{z.code}/" if z.parent else f"{z.code}/")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.ASSOCIATION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "social_worker"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    lead = factory.SubFactory(OrganisationFactory)


def member(**overrides) -> dict:
    data = {
        "given_name": "Fatma", "family_name": "Ben Salah", "given_name_ar": "فاطمة", "family_name_ar": "بن صالح",
        "sex": "F", "relationship": "head", "date_of_birth": datetime.date(1980, 5, 1),
    }
    data.update(overrides)
    return data
