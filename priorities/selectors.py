from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import Case, User
from cases.selectors import managed_cases_condition
from priorities.models import CriteriaVersion, Level


def _scope(user: User) -> QuerySet[Case]:
    """The open cases a person is responsible for: their own, and their teams' if supervising."""
    return Case.objects.open().filter(managed_cases_condition(user))


def needing_attention(user: User, *, limit: int = 100) -> dict[str, list[Case]]:
    """Red cases with no open action, red cases with no adviser, and assessments due."""
    from notes.models import Action

    today = timezone.localdate()
    published = CriteriaVersion.published()
    scope = _scope(user).select_related("client__data_key", "case_type", "assigned_to")
    open_action = Action.objects.filter(case=OuterRef("pk"), status=Action.Status.OPEN)
    due = Q(assessed_at__isnull=True) | Q(next_review_due_on__lte=today)
    if published is not None:
        due |= ~Q(assessment_version=published)
    return {
        "Red with no open action": list(
            scope.filter(level=Level.RED)
            .exclude(Exists(open_action))
            .order_by("next_due_on")[:limit]
        ),
        "Red with no adviser": list(
            scope.filter(level=Level.RED, assigned_to__isnull=True).order_by("created_at")[:limit]
        ),
        "Assessment due": list(scope.filter(due).order_by("level_rank", "next_due_on")[:limit]),
    }
