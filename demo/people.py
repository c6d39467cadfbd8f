"""The demo's people and teams, and the published key their authenticator apps share."""

from __future__ import annotations

import time
from base64 import b32decode
from binascii import unhexlify
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.roles import Role
from cases.models import AdviserProfile, Team, User
from demo import known
from notifications.services import notification_preferences_set

DEMO_PASSWORD = "caseload-demo"  # noqa: S105 - printed for demo users on purpose
# Every demo user's authenticator app holds this published key, so anyone trying
# the demo can add it to an app once (or run `manage.py demo_code`) and sign in
# as anyone. A real account's key is random and shown only to its owner.
DEMO_TOTP_SECRET = "CASELOADDEMOCASELOADDEMOCASELOAD"  # noqa: S105 - published on purpose


def demo_totp_key() -> str:
    """The demo key as django-otp stores it (hex)."""
    return b32decode(DEMO_TOTP_SECRET).hex()


def demo_code(*, at: float | None = None) -> str:
    """The code an authenticator app holding the demo key shows at ``at`` (default now)."""
    totp = TOTP(unhexlify(demo_totp_key()))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: Role
    team: str | None = None
    fte: Decimal = Decimal("1.00")


DEMO_DEVICE_NAME = "Demo authenticator"

TEAMS = ["North Team", "South Team"]

PEOPLE = [
    DemoPerson("carol", "Carol", "Jenkins", Role.SUPERVISOR, "North Team"),
    DemoPerson("uma", "Uma", "Patel", Role.SUPERVISOR, "South Team"),
    DemoPerson("alice", "Alice", "Okafor", Role.ADVISER, "North Team"),
    DemoPerson("bob", "Bob", "Fraser", Role.ADVISER, "North Team"),
    DemoPerson("priya", "Priya", "Shah", Role.ADVISER, "North Team", Decimal("0.60")),
    DemoPerson("tom", "Tom", "Hughes", Role.ADVISER, "North Team"),
    DemoPerson("dave", "Dave", "Morgan", Role.ADVISER, "South Team"),
    DemoPerson("femi", "Femi", "Adeyemi", Role.ADVISER, "South Team"),
    DemoPerson("grace", "Grace", "Lloyd", Role.ADVISER, "South Team", Decimal("0.80")),
    DemoPerson("hamid", "Hamid", "Rahman", Role.ADVISER, "South Team"),
    DemoPerson("erin", "Erin", "Walsh", Role.ADMIN),
    DemoPerson("mia", "Mia", "Clarke", Role.SERVICE_MANAGER),
    DemoPerson("dina", "Dina", "Kovac", Role.DATA_PROTECTION),
]


def people_load() -> None:
    """Create or refresh the teams, the people, their roles and their authenticator apps."""
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    groups = {role: Group.objects.get(name=role.value) for role in Role}
    for person in PEOPLE:
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@caseload.example",
                "is_active": True,
                # The Admin role reaches the configuration pages through the
                # admin site's own role check; staff status is not needed.
                "is_staff": False,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE_NAME,
            defaults={"key": demo_totp_key(), "confirmed": True},
        )
        user.groups.set([groups[person.role]])
        if person.role is Role.ADVISER:
            AdviserProfile.objects.update_or_create(
                user=user, defaults={"capacity_points": 40, "fte": person.fte}
            )
            teams[known(person.team, "an adviser's team")].members.add(user)
        elif person.role is Role.SUPERVISOR:
            teams[known(person.team, "a supervisor's team")].supervisors.add(user)
    # Carol keeps deadlines to the app (she reads her list each morning) and wants
    # high priority cases by email straight away, the default.
    notification_preferences_set(
        user=User.objects.get(username="carol"), deliveries={"deadline": "in_app"}
    )
