from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from caseload.roles import Role
from cases.models import AdviserProfile, Team, User


def _people() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .select_related("adviser_profile")
        .order_by("last_name", "first_name", "username")
    )


def teams_supervised_by(user: User) -> QuerySet[Team]:
    """The teams ``user`` leads, with their supervisors and members loaded."""
    return team_overview().filter(supervisors=user)


def teams_of(user: User) -> QuerySet[Team]:
    """The teams ``user`` is a member of."""
    return Team.objects.filter(members=user).order_by("name")


def team_overview() -> QuerySet[Team]:
    """Every team with its people, in a fixed number of queries."""
    return Team.objects.prefetch_related(
        Prefetch("supervisors", queryset=_people()),
        Prefetch("members", queryset=_people()),
    ).order_by("name")


def role_counts() -> dict[str, int]:
    """How many active people hold each role."""
    rows = (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .values("groups__name")
        .annotate(people=Count("id"))
    )
    counts = {role.label: 0 for role in Role}
    for row in rows:
        counts[row["groups__name"]] = row["people"]
    return counts


def adviser_profile_of(user: User) -> AdviserProfile | None:
    return AdviserProfile.objects.filter(user=user).first()
