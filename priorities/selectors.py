from __future__ import annotations

from django.utils import timezone

from cases.models import Case, CaseQuerySet, User
from cases.selectors import managed_cases_condition
from priorities.models import CriteriaVersion, Level


def _scope(user: User) -> CaseQuerySet:
    """The open cases a person is responsible for: their own, and their teams' if supervising."""
    return Case.objects.open().filter(managed_cases_condition(user))


def needing_attention(user: User, *, limit: int = 100) -> dict[str, list[Case]]:
    """Red cases with no open action, red cases with no adviser, and assessments due."""
    today = timezone.localdate()
    scope = _scope(user).select_related("client__data_key", "case_type", "assigned_to")
    return {
        "Red with no open action": list(scope.red_without_action().order_by("next_due_on")[:limit]),
        "Red with no adviser": list(
            scope.at_level(Level.RED)
            .filter(assigned_to__isnull=True)
            .order_by("created_at")[:limit]
        ),
        "Assessment due": list(
            scope.assessment_due(version=CriteriaVersion.published(), today=today).order_by(
                "level_rank", "next_due_on"
            )[:limit]
        ),
    }
