"""What the endpoints return and accept. Read serializers name every field they show;
write serializers check the shape of a request, and the owning app's service checks
the rest (its refusals become 400 problems with the same messages as the pages)."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caseload.crypto import ErasedValue
from caseload.params import MAX_ID
from cases.models import Case, CaseDeadline, Client
from notes.models import Action, CaseNote
from notifications.models import Notification
from priorities.models import Assessment, DeadlineFlag, Level

# --- fields -------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class EncryptedDateField(serializers.Field):
    """A date held encrypted: null when unknown, or when the client's data were erased."""

    def to_representation(self, value: Any) -> str | None:
        if isinstance(value, date):
            return serializers.DateField().to_representation(value)
        return None


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- clients ------------------------------------------------------------------------


class ClientSerializer(serializers.ModelSerializer):
    """A client, as the client page shows them (every personal field decrypted)."""

    date_of_birth = EncryptedDateField()
    # Text, not format "email": empty when not given, "[erased]" once erased.
    email = serializers.CharField(read_only=True)
    vulnerabilities = serializers.SerializerMethodField()
    erased = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "reference",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "email",
            "phone",
            "address",
            "postcode",
            "communication_needs",
            "reasonable_adjustments",
            "vulnerabilities",
            "vulnerability_notes",
            "erased",
            "created_at",
        ]
        read_only_fields = fields

    def get_vulnerabilities(self, client: Client) -> list[str]:
        """The codes of the client's vulnerability indicators."""
        return [c for c in str(client.vulnerabilities or "").split(",") if c]

    def get_erased(self, client: Client) -> bool:
        """Whether the client's data were erased (their key destroyed): fields read "[erased]"."""
        return isinstance(client.family_name, ErasedValue)


class ClientSearchSerializer(serializers.Serializer):
    """Search by reference, or by family name and date of birth (through the blind
    indexes): exact matches only. Sent by POST, so that no name reaches a URL."""

    reference = serializers.CharField(max_length=20, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        reference = data.get("reference", "").strip()
        family_name = data.get("family_name", "").strip()
        born = data.get("date_of_birth")
        if not reference and not (family_name and born):
            raise serializers.ValidationError(
                "Give a client reference, or a family name and a date of birth."
            )
        return {"reference": reference, "family_name": family_name, "date_of_birth": born}


class ClientFoundSerializer(serializers.Serializer):
    client = ClientSerializer()
    cases = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids of the client's cases you may see."
    )


class ClientSearchResultSerializer(serializers.Serializer):
    results = ClientFoundSerializer(many=True)
    held_elsewhere = serializers.BooleanField(
        help_text="A matching client exists whom you may not see (never which one)."
    )


# --- cases --------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    client_reference = serializers.CharField(source="client.reference", read_only=True)
    case_type = serializers.CharField(source="case_type.name", read_only=True)
    level_label = serializers.CharField(read_only=True)
    closure_reason = serializers.ChoiceField(
        choices=Case.ClosureReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "client",
            "client_reference",
            "case_type",
            "presenting_issue",
            "status",
            "level",
            "level_label",
            "assigned_to",
            "team",
            "restricted",
            "referral_source",
            "opened_on",
            "closed_on",
            "closure_reason",
            "last_contact_at",
            "next_due_on",
            "allocation_due_on",
            "first_contact_due_on",
            "next_contact_due_on",
            "next_review_due_on",
            "target_close_on",
            "next_deadline_on",
            "created_at",
        ]
        read_only_fields = fields


class CaseFilterSerializer(serializers.Serializer):
    """Filters of the case list; each is one of the named conditions on cases."""

    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    level = serializers.ChoiceField(
        choices=[*Level.choices, ("none", "Not assessed")], required=False
    )
    adviser = _id(required=False, help_text="Cases assigned to this person (an id).")
    team = _id(required=False, help_text="Cases of this team (an id).")
    attention = serializers.ChoiceField(
        choices=[
            ("overdue_actions", "Open, with an action past its due date"),
            ("approaching", "Open, with a due date approaching or due today"),
            ("breached", "Open, with a due date breached"),
        ],
        required=False,
    )


class CaseStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in Case.Status if s != Case.Status.REFERRED]
    )
    closure_reason = serializers.ChoiceField(
        choices=Case.ClosureReason.choices, required=False, allow_blank=True, default=""
    )
    closure_outcome = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    open_work_confirmed = serializers.BooleanField(required=False, default=False)
    open_work_reason = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


# --- notes and actions ----------------------------------------------------------------


class NoteSerializer(serializers.ModelSerializer):
    is_late = serializers.BooleanField(
        read_only=True, help_text="Written later after the contact than the organisation allows."
    )

    class Meta:
        model = CaseNote
        fields = [
            "id",
            "case",
            "sequence",
            "author",
            "contact_at",
            "recorded_at",
            "channel",
            "present",
            "facts",
            "opinion",
            "actions_taken",
            "next_steps",
            "no_further_action",
            "no_further_action_reason",
            "corrects",
            "correction_reason",
            "third_party_information",
            "is_late",
        ]
        read_only_fields = fields


class NoteAppendSerializer(serializers.Serializer):
    """A new note (or, with ``corrects``, a correction of one): appended, never changed."""

    contact_at = serializers.DateTimeField(help_text="When the contact happened.")
    channel = serializers.ChoiceField(choices=CaseNote.Channel.choices)
    present = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    facts = serializers.CharField(max_length=100_000)
    opinion = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, default=""
    )
    actions_taken = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, default=""
    )
    next_steps = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, default=""
    )
    no_further_action = serializers.BooleanField(required=False, default=False)
    no_further_action_reason = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, default=""
    )
    third_party_information = serializers.BooleanField(required=False, default=False)
    corrects = _id(required=False, allow_null=True, default=None, help_text="A note to correct.")
    correction_reason = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, default=""
    )


class ActionSerializer(serializers.ModelSerializer):
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "case",
            "note",
            "description",
            "owner",
            "owner_detail",
            "due_on",
            "status",
            "created_by",
            "created_at",
            "completed_by",
            "completed_at",
            "cancel_reason",
            "is_overdue",
        ]
        read_only_fields = fields

    def get_is_overdue(self, action: Action) -> bool:
        """Open and past its due date."""
        return action.is_overdue()


class ActionCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=100_000)
    owner = serializers.ChoiceField(choices=Action.Owner.choices)
    owner_detail = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    due_on = serializers.DateField()


# --- assessments, deadlines and flags ---------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    level_label = serializers.CharField(read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case",
            "kind",
            "version",
            "answers",
            "score",
            "forced_red",
            "level",
            "level_label",
            "rationale",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "integer"}, "nullable": False}
    )
    def get_answers(self, assessment: Assessment) -> dict[str, int]:
        """The answers given, by criterion key (empty once the client's data were erased)."""
        if isinstance(assessment.answers_json, ErasedValue):
            return {}
        return assessment.answers


class AssessmentRecordSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=3),
        help_text="An answer to every criterion of the published version, by its key.",
    )
    rationale = serializers.CharField(max_length=100_000)


class DeadlineSerializer(serializers.ModelSerializer):
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = CaseDeadline
        fields = ["id", "case", "due_on", "description", "status", "created_at", "is_overdue"]
        read_only_fields = fields

    def get_is_overdue(self, deadline: CaseDeadline) -> bool:
        """Still open and past its date."""
        return deadline.is_overdue()


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadlineFlag
        fields = [
            "id",
            "case",
            "deadline",
            "due_on",
            "stage",
            "raised_at",
            "cleared_at",
            "cleared_reason",
        ]
        read_only_fields = fields


# --- notifications ----------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "case", "message", "created_at", "read_at", "resolved_at"]
        read_only_fields = fields


class NotificationsReadSerializer(serializers.Serializer):
    """Which of the caller's notifications to mark read: those ids, or all if none given."""

    ids = serializers.ListField(child=_id(), required=False, max_length=500, allow_empty=True)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
