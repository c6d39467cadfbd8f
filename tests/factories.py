"""Factories for the people and teams every test needs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from caseload.roles import Role
from cases.models import AdviserProfile, Team, User

PASSWORD = "correct horse battery"


def totp_code(user: User) -> str:
    """The code ``user``'s authenticator app would show now, as a person would type it.

    A code is accepted once: if this time step's code was already used (the
    same person signing in twice within 30 seconds), this is the next step's
    code, which the device also accepts.
    """
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


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

    @factory.post_generation
    def two_factor(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Everyone has an authenticator app set up unless made with ``two_factor=False``."""
        if create and extracted is not False:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.get_or_create(
                user=self, name="Authenticator app", defaults={"confirmed": True}
            )


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


# --- clients and cases ----------------------------------------------------------


class CaseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CaseType"
        django_get_or_create = ("name",)

    name = "Housing"


class ClientFactory(factory.django.DjangoModelFactory):
    """A client made through the service, so they get a data key and blind indexes."""

    class Meta:
        model = "cases.Client"

    given_name = factory.Faker("first_name", locale="en_GB")
    # Distinctive, so tests can check a page or a log holds no client name without a
    # real surname ("Green", "Baker") matching an ordinary word by chance.
    family_name = factory.Sequence(lambda n: f"Quorndonshire{n}")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=16, maximum_age=80)
    postcode = factory.Faker("postcode", locale="en_GB")
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        from cases.services import client_create

        return client_create(**kwargs)


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case assigned to ``assigned_to`` in their team, made through the service."""

    class Meta:
        model = "cases.Case"

    # A new client is created by the adviser who opens their first case.
    client = factory.SubFactory(ClientFactory, created_by=factory.SelfAttribute("..assigned_to"))
    case_type = factory.SubFactory(CaseTypeFactory)
    presenting_issue = "Rent arrears and a notice seeking possession"
    assigned_to = factory.SubFactory(AdviserFactory)
    restricted = False
    # When the case is opened (``case_open``'s ``now``): now unless given.
    now = None

    class Params:
        # Opened this time yesterday, for a test that records a contact hours or
        # minutes ago: any time in the last 24 hours follows the opening whatever the
        # hour the test runs. Opened now, a contact two hours ago falls on the day
        # before the case from midnight to 02:00, and is refused (a contact cannot
        # precede its case).
        opened_yesterday = factory.Trait(
            now=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
        )

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        from cases.services import case_open

        adviser = kwargs.pop("assigned_to")
        return case_open(opened_by=adviser, **kwargs)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ConsentRecord"

    client = factory.SubFactory(ClientFactory)
    scope = "colleagues"
    shared_with = "Colleagues in the advice team"
    given_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    method = "verbal"
    recorded_by = factory.SubFactory(UserFactory)


# --- priorities --------------------------------------------------------------------


def published_criteria(*, red: int = 6, amber: int = 3, deadline_days: int | None = None):
    """A published criteria version: safeguarding (yes/no, forces red, weight 5) and
    complexity (0-3 scale, weight 2)."""
    from priorities.models import CriteriaVersion, Criterion

    number = (
        CriteriaVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    CriteriaVersion.objects.filter(status="published").update(status="retired")
    version = CriteriaVersion.objects.create(
        number=number,
        status="published",
        red_threshold=red,
        amber_threshold=amber,
        red_if_deadline_within=deadline_days,
    )
    Criterion.objects.create(
        version=version,
        key="safeguarding",
        position=1,
        name="Any safeguarding concern?",
        guidance="Risk of harm to the client or a child.",
        answer_type="yes_no",
        weight=5,
        forces_red_at=1,
    )
    Criterion.objects.create(
        version=version,
        key="complexity",
        position=2,
        name="How complex is the case?",
        guidance="Number of issues and agencies involved.",
        answer_type="scale",
        label_0="Simple",
        label_1="Some",
        label_2="Complex",
        label_3="Very complex",
        weight=2,
    )
    return version
