"""Reads of the api app that cross relations: tokens for their pages, and what an
integration may read back of the referrals it sent."""

from __future__ import annotations

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from api.models import ApiToken, IntakeSubmission
from cases.models import CaseEvent, User


def personal_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first."""
    return ApiToken.objects.filter(kind=ApiToken.Kind.PERSONAL, user=user).order_by(
        "-created_at", "-pk"
    )


def integration_tokens() -> QuerySet[ApiToken]:
    """Every partner's integration token, newest first, with its team and case type."""
    return (
        ApiToken.objects.filter(kind=ApiToken.Kind.INTEGRATION)
        .select_related("team", "case_type", "created_by", "revoked_by")
        .order_by("-created_at", "-pk")
    )


# What moves a referral on, as a partner sees it: received, allocated, its status changed.
_PROGRESS_KINDS = (
    CaseEvent.Kind.CREATED,
    CaseEvent.Kind.REFERRAL,
    CaseEvent.Kind.ASSIGNED,
    CaseEvent.Kind.STATUS,
)


def submissions_of(token: ApiToken) -> QuerySet[IntakeSubmission]:
    """The referrals ``token`` sent, with their case's reference and status and when they
    last moved on (``progressed_at``); nothing of the client."""
    last_move = (
        CaseEvent.objects.filter(case_id=OuterRef("referral__case_id"), kind__in=_PROGRESS_KINDS)
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        IntakeSubmission.objects.filter(token=token)
        .select_related("referral__case")
        .only(
            "pk",
            "created_at",
            "token_id",
            "referral__id",
            "referral__status",
            "referral__created_at",
            "referral__case__id",
            "referral__case__status",
            "referral__case__assigned_to_id",
        )
        .annotate(
            progressed_at=Coalesce(
                Subquery(last_move, output_field=DateTimeField()), "referral__created_at"
            )
        )
    )
