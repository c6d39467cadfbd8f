"""Factories for the people and teams every test needs."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from caseload.roles import Role
from cases.models import AdviserProfile, Team, User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda person: f"{person.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[role.value for role in extracted]))


class AdviserFactory(UserFactory):
    roles = factory.PostGeneration(
        lambda user, create, extracted, **kw: (
            create and user.groups.add(Group.objects.get(name=Role.ADVISER.value))
        )
    )
    profile = factory.RelatedFactory(
        "tests.factories.AdviserProfileFactory", factory_related_name="user"
    )


class SupervisorFactory(UserFactory):
    roles = factory.PostGeneration(
        lambda user, create, extracted, **kw: (
            create and user.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
        )
    )


class AdminFactory(UserFactory):
    roles = factory.PostGeneration(
        lambda user, create, extracted, **kw: (
            create and user.groups.add(Group.objects.get(name=Role.ADMIN.value))
        )
    )


class AdviserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdviserProfile

    user = factory.SubFactory(UserFactory)
    capacity_points = 40
    fte = Decimal("1.00")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def supervisors(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.supervisors.add(*extracted)

    @factory.post_generation
    def members(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.members.add(*extracted)
