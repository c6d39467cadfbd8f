"""The demo organisation: the people, teams and (as issues land) the cases a new user explores.

Loading is idempotent: running it again brings the demo back to the same
state without duplicating anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from caseload.roles import Role
from cases.models import AdviserProfile, Team, User

DEMO_PASSWORD = "caseload-demo"  # noqa: S105 - printed for demo users on purpose


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: Role
    team: str | None = None
    fte: Decimal = Decimal("1.00")


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
]


@transaction.atomic
def demo_load() -> list[DemoPerson]:
    """Create or refresh the demo organisation; return the people who can sign in."""
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
        user.groups.set([groups[person.role]])
        if person.role is Role.ADVISER:
            AdviserProfile.objects.update_or_create(
                user=user, defaults={"capacity_points": 40, "fte": person.fte}
            )
            teams[person.team].members.add(user)
        elif person.role is Role.SUPERVISOR:
            teams[person.team].supervisors.add(user)
    return PEOPLE
