"""Referral intake: what a partner's integration token may do, and all it may do.

``POST /api/v1/referrals/`` sends a referral (the client's details in the body only,
never in the URL) into the token's team's unallocated queue; ``GET`` lists the referrals
this token sent and ``GET .../<id>/`` reads one back: reference, status and dates, and
nothing of the client. Every call needs an ``Idempotency-Key`` on POST: the same key and
body again returns the first referral and makes nothing; the same key with another body
is a 409 problem.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import ApiToken, IntakeSubmission
from api.permissions import IsIntegrationCaller
from api.schema import problem_responses
from api.selectors import submissions_of
from api.services import IdempotencyConflict, intake_referral_receive
from cases.models import Case, VulnerabilityIndicator

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IntakeClientSerializer(serializers.Serializer):
    """The client's details, as the referral form asks for them (``CLIENT_FIELDS``)."""

    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    communication_needs = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reasonable_adjustments = serializers.CharField(
        max_length=2000, required=False, allow_blank=True
    )
    vulnerabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=VulnerabilityIndicator.choices),
        required=False,
        help_text="Codes of the vulnerability indicators that apply.",
    )
    vulnerability_notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate_date_of_birth(self, value: date | None) -> date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("A date of birth cannot be in the future.")
        return value


class IntakeReferralSerializer(serializers.Serializer):
    """A referral from a partner. The sending agency is the token's partner, never the body's."""

    client = IntakeClientSerializer()
    reason = serializers.CharField(max_length=4000, help_text="Why the client is referred.")
    presenting_issue = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        help_text="What the client needs help with; the reason when left out.",
    )
    consent_reference = serializers.CharField(
        max_length=200,
        help_text="The partner's reference of the client's consent to this referral "
        "(which the partner keeps).",
    )
    urgency = serializers.ChoiceField(
        choices=[("red", "Red"), ("amber", "Amber"), ("green", "Green"), ("", "None")],
        required=False,
        allow_blank=True,
        default="",
        help_text="The partner's view of the priority: red, amber, green, or empty.",
    )
    contact = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who to contact at the partner about this referral.",
    )


def _partner_status(case: Case) -> str:
    """How a partner sees the case its referral became: waiting in the queue, taken on
    (allocated to an adviser, or opened), or closed."""
    if case.status == Case.Status.CLOSED:
        return "closed"
    if case.status == Case.Status.REFERRED and case.assigned_to_id is None:
        return "received"
    return "in_progress"


class IntakeStatusSerializer(serializers.Serializer):
    """What a partner reads back of a referral it sent: no personal data."""

    id = serializers.IntegerField(help_text="This submission's id, for reading it back.")
    reference = serializers.CharField(help_text="Caseload's reference of the case.")
    status = serializers.ChoiceField(
        choices=["received", "in_progress", "closed"],
        help_text="received: waiting to be allocated; in_progress: taken on; closed.",
    )
    received_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: IntakeSubmission) -> dict[str, Any]:
        case = instance.referral.case
        return {
            "id": instance.pk,
            "reference": case.reference,
            "status": _partner_status(case),
            "received_at": serializers.DateTimeField().to_representation(
                instance.referral.created_at
            ),
            "updated_at": serializers.DateTimeField().to_representation(
                getattr(instance, "progressed_at", None) or instance.referral.created_at
            ),
        }


def _token(request: Request) -> ApiToken:
    token = request.auth
    if not isinstance(token, ApiToken):  # IsIntegrationCaller let only tokens in
        raise exceptions.PermissionDenied
    return token


class _NewestFirst(CursorPagination):
    ordering = ("-created_at", "-pk")


class ReferralIntakeList(generics.GenericAPIView):
    """Send a referral into the partner's team's queue, or list those this token sent."""

    permission_classes = [IsIntegrationCaller]
    serializer_class = IntakeStatusSerializer
    pagination_class = _NewestFirst

    def get_queryset(self) -> Any:
        return submissions_of(_token(self.request))

    @extend_schema(
        operation_id="referrals_list",
        summary="The referrals this integration token sent",
        responses={
            200: IntakeStatusSerializer(many=True),
            **problem_responses(401, 403, 429),
        },
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = IntakeStatusSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="referrals_create",
        summary="Send a referral (integration tokens only)",
        request=IntakeReferralSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A key of the sender's choosing, unique per referral: the same "
                "key again returns the first referral and creates nothing.",
            )
        ],
        responses={
            201: IntakeStatusSerializer,
            200: IntakeStatusSerializer,
            **problem_responses(400, 401, 403, 409, 429),
        },
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                {
                    IDEMPOTENCY_HEADER: [
                        f"Send an {IDEMPOTENCY_HEADER} header (up to {MAX_KEY_LENGTH} "
                        "characters), unique per referral, so that a retry creates nothing."
                    ]
                }
            )
        serializer = IntakeReferralSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = dict(data.pop("client"))
        if "vulnerabilities" in client:
            client["vulnerabilities"] = ",".join(client["vulnerabilities"])
        try:
            referral, created = intake_referral_receive(
                token=_token(request),
                idempotency_key=key,
                client_fields=client,
                reason=data["reason"],
                consent_reference=data["consent_reference"],
                urgency=data.get("urgency", ""),
                contact=data.get("contact", ""),
                presenting_issue=data.get("presenting_issue", ""),
            )
        except IdempotencyConflict:
            raise _Conflict() from None
        submission = submissions_of(_token(request)).get(referral=referral)
        return Response(
            IntakeStatusSerializer(submission).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class _Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        f"This {IDEMPOTENCY_HEADER} was used before with a different referral: use a new key "
        "for a new referral."
    )
    default_code = "idempotency_conflict"


class ReferralIntakeDetail(generics.GenericAPIView):
    """One referral this token sent: its reference, status and dates."""

    permission_classes = [IsIntegrationCaller]
    serializer_class = IntakeStatusSerializer

    @extend_schema(
        operation_id="referrals_retrieve",
        responses={200: IntakeStatusSerializer, **problem_responses(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        submission = get_object_or_404(submissions_of(_token(request)), pk=pk)
        return Response(IntakeStatusSerializer(submission).data)
