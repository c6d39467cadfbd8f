from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html

from caseload.formats import human_date
from caseload.params import parse_id
from cases.models import (
    CLIENT_FIELDS,
    BreakGlassReview,
    Case,
    CaseDeadline,
    CaseShare,
    CaseType,
    Client,
    ConsentRecord,
    Obstacle,
    Outcome,
    Team,
    User,
    VulnerabilityIndicator,
)
from cases.services import referral_consent_missing

UK_DATE_HELP = "For example 27/3/1990"


class UKDateField(forms.DateField):
    """A date typed the British way (day/month/year), with a clear message when it is not.

    What it accepts, and how it shows a date it holds, are DATE_INPUT_FORMATS in
    caseload/formats/en_GB/formats.py."""

    widget = forms.DateInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {"invalid": "Enter a real date as day/month/year, like 27/3/2025."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", UK_DATE_HELP)
        super().__init__(**kwargs)


class ColleagueChoiceField(forms.ModelChoiceField):
    """A choice of member of staff, each offered by their display name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ConsentChoiceField(forms.ModelChoiceField):
    """A choice of the client's consent records, each offered by its scope, with whom and
    date."""

    def label_from_instance(self, obj: ConsentRecord) -> str:
        until = f", until {human_date(obj.expires_on)}" if obj.expires_on else ""
        return (
            f"{obj.get_scope_display()} ({obj.shared_with}), given {human_date(obj.given_on)}"
            f"{until}"
        )


def consent_choices(consents: list[ConsentRecord]) -> QuerySet[ConsentRecord]:
    """The consents a selector chose, as the queryset a ``ConsentChoiceField`` offers."""
    return ConsentRecord.objects.filter(pk__in=[c.pk for c in consents]).select_related(
        "client__data_key"
    )


def record_consent_help(url: str, *, missing: bool, purpose: str) -> str:
    """The consent field's hint: a link to record one in the same flow, then come back."""
    if missing:
        return format_html(
            "None of the client's current consents covers {}. "
            '<a href="{}">Record the client\'s consent</a>, then you come back here.',
            purpose,
            url,
        )
    return format_html(
        'Only consents that cover {} are listed. <a href="{}">Record another consent</a>, '
        "then you come back here.",
        purpose,
        url,
    )


class ClientSearchForm(forms.Form):
    reference = forms.CharField(required=False, max_length=20, label="Client reference")
    family_name = forms.CharField(required=False, max_length=100, label="Family name")
    date_of_birth = UKDateField(required=False, label="Date of birth")
    postcode = forms.CharField(required=False, max_length=10)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(f) for f in ("reference", "family_name", "date_of_birth", "postcode")):
            raise forms.ValidationError("Enter at least one thing to search for.")
        return data


# --- the header's search box ---------------------------------------------------

# "CASE-000009", "case-9", "case 9" or just "9": a case. Only ASCII digits count.
_CASE_REFERENCE = re.compile(r"(?:CASE[-\s]?)?([0-9]{1,18})", re.IGNORECASE)
# "C-000012", "c-12", "C12": a client.
_CLIENT_REFERENCE = re.compile(r"C[-\s]?([0-9]{1,18})", re.IGNORECASE)
# Something written as a date (3/11/1987, 03-11-87, 1987-11-03, 3.11.1987), valid or not.
_DATE_LIKE = re.compile(r"[0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4}")
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d-%m-%y", "%d.%m.%Y")

SEARCH_HELP = (
    "A case reference (CASE-000009 or just 9), a client reference (C-000012), "
    "or a family name and date of birth, like Smith 3/11/1987."
)


@dataclass(frozen=True)
class SearchTerms:
    """What a person typed into the search box, understood.

    Exactly one of: a case id; a client reference; a family name and/or a date of birth.
    """

    case_pk: int | None = None
    client_reference: str = ""
    family_name: str = ""
    date_of_birth: date | None = None


def _typed_date(token: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(token, pattern).date()
        except ValueError:
            continue
    raise forms.ValidationError(
        "Enter the date of birth as day/month/year, like Smith 3/11/1987.", code="bad_date"
    )


def search_terms_parse(text: str) -> SearchTerms:
    """Understand one line typed into the search box, or raise ValidationError saying why not.

    A reference wins over a name: "9" is case 9, "C-12" is client C-000012. Otherwise a
    date-shaped word at either end is the date of birth and the rest the family name.
    """
    text = " ".join(text.replace(",", " ").split())
    if not text:
        raise forms.ValidationError(
            "Type a case or client reference, or a family name and date of birth.", code="empty"
        )
    if match := _CASE_REFERENCE.fullmatch(text):
        pk = parse_id(match.group(1))
        if pk is None:
            raise forms.ValidationError("That is not a case reference.", code="bad_reference")
        return SearchTerms(case_pk=pk)
    if match := _CLIENT_REFERENCE.fullmatch(text):
        return SearchTerms(client_reference=f"C-{int(match.group(1)):06d}")
    words = text.split(" ")
    born: date | None = None
    for index in (len(words) - 1, 0):
        if _DATE_LIKE.fullmatch(words[index]):
            born = _typed_date(words.pop(index))
            break
    if any(_DATE_LIKE.fullmatch(word) for word in words):
        raise forms.ValidationError(
            "Type one family name and one date of birth, like Smith 3/11/1987.", code="two_dates"
        )
    return SearchTerms(family_name=" ".join(words), date_of_birth=born)


class QuickSearchForm(forms.Form):
    """The one box in the header: a reference, or a family name and date of birth."""

    q = forms.CharField(
        max_length=120,
        label="Find a case or client",
        help_text=SEARCH_HELP,
        error_messages={
            "required": "Type a case or client reference, or a family name and date of birth."
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_q(self) -> SearchTerms:
        return search_terms_parse(self.cleaned_data["q"])


class ClientForm(forms.ModelForm):
    date_of_birth = UKDateField(required=False, label="Date of birth")
    vulnerabilities = forms.MultipleChoiceField(
        choices=VulnerabilityIndicator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Vulnerability indicators",
    )
    not_a_duplicate = forms.BooleanField(
        required=False,
        label="I have checked: this is a different person from the possible duplicates above",
    )

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "communication_needs": forms.Textarea(attrs={"rows": 2}),
            "reasonable_adjustments": forms.Textarea(attrs={"rows": 2}),
            "vulnerability_notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"given_name": "Given name", "family_name": "Family name"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["vulnerabilities"] = [
                c for c in (self.instance.vulnerabilities or "").split(",") if c
            ]
        if self.instance.pk:
            del self.fields["not_a_duplicate"]

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return value

    def clean_vulnerabilities(self) -> str:
        return ",".join(self.cleaned_data.get("vulnerabilities") or [])

    def client_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConsentForm(forms.ModelForm):
    given_on = UKDateField(label="Consent given on")
    expires_on = UKDateField(
        label="Consent ends on",
        required=False,
        help_text="The last day it holds, if the client gave it for a time only; as "
        "day/month/year, like 27/3/2025.",
    )

    class Meta:
        model = ConsentRecord
        fields = ["scope", "shared_with", "channel", "details", "given_on", "expires_on", "method"]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "scope": "What the client agreed to: sharing with colleagues, a referral to the "
            "agencies named below, or being contacted by the channel chosen below."
        }

    def _post_clean(self) -> None:
        """No model validation here: the form never saves its instance, and
        ``consent_record`` checks the rules between fields and says beside the field what
        is wrong (the database constraints, channel only for contact and an end after the
        start, back it), where the model's check would give one message for the form."""


class ConsentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the client said, if anything. Kept encrypted with their record.",
    )


class CaseForm(forms.ModelForm):
    case_type = forms.ModelChoiceField(queryset=CaseType.objects.filter(is_active=True))

    class Meta:
        model = Case
        fields = ["case_type", "presenting_issue", "referral_source", "restricted"]
        widgets = {"presenting_issue": forms.Textarea(attrs={"rows": 4})}
        labels = {"restricted": "Restricted case (sensitive)"}

    def __init__(self, *args: Any, client_restricted: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if client_restricted:
            # A client with a restricted case gets restricted cases only (the service
            # enforces it; the form says so rather than offering a choice it would ignore).
            field = self.fields["restricted"]
            field.disabled = True
            field.initial = True
            field.help_text = "This client has a restricted case, so every new case is restricted."


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Case.Status if s != Case.Status.REFERRED]
    )
    closure_reason = forms.ChoiceField(
        choices=[("", "Not closing"), *Case.ClosureReason.choices],
        required=False,
        label="Reason for closing",
        help_text="Needed when you close the case.",
    )
    closure_outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Outcome for the client",
        help_text="Needed when you close the case.",
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, has_open_work: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_open_work and self.closes_as_outcomes_met:
            # Asked only once the form says "closed, outcomes met" on a case with work still
            # open; the service asks for the same, so no other route closes without them.
            self.fields["open_work_confirmed"] = forms.BooleanField(
                label="I confirm the case closes as outcomes met with the items above still open",
                error_messages={
                    "required": "Confirm that the case closes as outcomes met with these "
                    "still open."
                },
            )
            self.fields["open_work_reason"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
                label="Why it closes as outcomes met with these still open",
                help_text="Recorded on the case's timeline with the list of what was open.",
                error_messages={
                    "required": "Say why the case closes as outcomes met with these still open."
                },
            )

    @property
    def closes_as_outcomes_met(self) -> bool:
        """Whether the posted form closes the case as "outcomes met"."""
        return (
            self.is_bound
            and self.data.get("status") == Case.Status.CLOSED
            and self.data.get("closure_reason") == Case.ClosureReason.OUTCOMES_MET
        )


class ReassignForm(forms.Form):
    adviser = ColleagueChoiceField(queryset=User.objects.none(), label="New adviser")
    handover_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Handover note",
        help_text="What the new adviser needs to know to pick the case up.",
    )

    def __init__(
        self, *args: Any, advisers: Any, loads: dict[int, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ColleagueChoiceField, self.fields["adviser"])
        field.queryset = advisers
        # Who has room, beside the choice (and read with it by screen readers).
        if loads:
            names = {adviser.pk: adviser.display_name for adviser in advisers}
            field.help_text = "Current caseloads: " + "; ".join(
                f"{names[pk]}, {load}" for pk, load in loads.items() if pk in names
            )


class DeadlineForm(forms.ModelForm):
    due_on = UKDateField(label="Due on")

    class Meta:
        model = CaseDeadline
        fields = ["due_on", "description"]


class OutcomeForm(forms.ModelForm):
    target_date = UKDateField(label="Target date")

    class Meta:
        model = Outcome
        fields = ["description", "measure", "target_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "measure": forms.Textarea(attrs={"rows": 2}),
        }


class OutcomeProgressForm(forms.Form):
    status = forms.ChoiceField(choices=Outcome.Status.choices)
    progress_percent = forms.IntegerField(min_value=0, max_value=100, label="Progress (%)")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What has changed")


class ObstacleForm(forms.ModelForm):
    class Meta:
        model = Obstacle
        fields = ["kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"kind": "Type of obstacle"}


class ObstacleResolveForm(forms.Form):
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="How it was resolved"
    )


class ShareForm(forms.Form):
    shared_with = ColleagueChoiceField(queryset=User.objects.none(), label="Colleague")
    level = forms.ChoiceField(choices=CaseShare.Level.choices, label="Access")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason for sharing")
    consent = ConsentChoiceField(
        queryset=ConsentRecord.objects.none(),
        label="Client consent this share relies on",
        empty_label="Choose a consent record",
        error_messages={
            "required": "Choose the client's consent to share with colleagues; "
            "if there is none, record it first.",
            "invalid_choice": "That consent does not cover sharing with colleagues: choose "
            "one that does, or record it first.",
        },
    )
    expires_on = UKDateField(label="Access ends after")

    def __init__(
        self,
        *args: Any,
        colleagues: Any,
        consents: list[ConsentRecord],
        record_consent_url: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(ColleagueChoiceField, self.fields["shared_with"]).queryset = colleagues
        field = cast(ConsentChoiceField, self.fields["consent"])
        field.queryset = consent_choices(consents)
        field.help_text = record_consent_help(
            record_consent_url, missing=not consents, purpose="sharing with colleagues"
        )


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        max_length=20, label="Case reference", help_text="For example CASE-000123"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why you need this case now",
        help_text="A sentence or more. Your reason is recorded, and the case's supervisor "
        "and the data protection officer are told.",
    )


class BreakGlassDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])


class BreakGlassReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=BreakGlassReview.Outcome.choices,
        widget=forms.RadioSelect,
        label="Was this access justified?",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed for a concern: the data protection officer reads it.",
    )


class ReferralOutForm(forms.Form):
    agency = forms.CharField(max_length=200, label="Agency referred to")
    contact = forms.CharField(max_length=200, required=False, label="Contact at the agency")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason for referral")
    consent = ConsentChoiceField(
        queryset=ConsentRecord.objects.none(),
        label="Client consent for this referral",
        empty_label="Choose a consent record",
    )
    follow_up_on = UKDateField(required=False, label="Follow up on")

    def __init__(
        self,
        *args: Any,
        consents: list[ConsentRecord],
        agency: str,
        record_consent_url: str,
        **kwargs: Any,
    ) -> None:
        """``consents`` are those that cover ``agency`` (as typed in the posted form), or
        before one is typed those that could cover some agency."""
        super().__init__(*args, **kwargs)
        field = cast(ConsentChoiceField, self.fields["consent"])
        field.queryset = consent_choices(consents)
        purpose = f"a referral to {agency.strip()}" if agency.strip() else "a referral out"
        field.help_text = record_consent_help(
            record_consent_url, missing=not consents, purpose=purpose
        )
        # Said plainly, whether none was chosen or the one chosen does not name the agency.
        missing = (
            referral_consent_missing(agency)
            if agency.strip()
            else "Choose the client's consent for this referral; if there is none, record it first."
        )
        field.error_messages = {
            **field.error_messages,
            "required": missing,
            "invalid_choice": missing,
        }


class ReferralInForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), label="Team")
    case_type = forms.ModelChoiceField(queryset=CaseType.objects.filter(is_active=True))
    agency = forms.CharField(max_length=200, label="Referred by (organisation)")
    contact = forms.CharField(max_length=200, required=False, label="Contact at that organisation")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason for referral")
    presenting_issue = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(
        choices=[
            ("", "Not given"),
            ("red", "Red: urgent"),
            ("amber", "Amber"),
            ("green", "Green"),
        ],
        required=False,
        label="Urgency given by the referrer",
        help_text="The case takes this priority level, and its timescales, until an "
        "adviser assesses it.",
    )


class AccessChangeForm(forms.Form):
    """One change of a person's access (a case role or a team place), with its reason.

    The choices are built from what the person holds now: a role or place they
    have can be removed, one they lack can be given.
    """

    change = forms.ChoiceField(label="What to change")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        label="Reason",
        help_text="Why this change is needed. It is kept with the change, and shown to "
        "service managers.",
    )

    def __init__(self, *args: Any, person: User, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from caseload.roles import Role, roles_of

        held = roles_of(person)
        member_of = {t.pk for t in person.teams.all()}
        leads = {t.pk for t in person.supervised_teams.all()}
        roles: list[tuple[str, str]] = []
        for role in (Role.ADVISER, Role.SUPERVISOR):
            if role in held:
                roles.append((f"revoke:role:{role.value}", f"Remove the {role.label} role"))
            else:
                roles.append((f"grant:role:{role.value}", f"Give the {role.label} role"))
        members: list[tuple[str, str]] = []
        supervisors: list[tuple[str, str]] = []
        for team in teams:
            if team.pk in member_of:
                members.append((f"revoke:member:{team.pk}", f"Remove from {team.name}"))
            else:
                members.append((f"grant:member:{team.pk}", f"Add to {team.name}"))
            if team.pk in leads:
                supervisors.append(
                    (f"revoke:supervisor:{team.pk}", f"Remove from {team.name}'s supervisors")
                )
            else:
                supervisors.append(
                    (f"grant:supervisor:{team.pk}", f"Add to {team.name}'s supervisors")
                )
        cast(forms.ChoiceField, self.fields["change"]).choices = [
            ("", "Choose a change"),
            ("Roles", roles),
            ("Team membership", members),
            ("Supervisor places", supervisors),
        ]
        self._teams = {team.pk: team for team in teams}

    def clean_change(self) -> dict[str, Any]:
        action, kind, value = self.cleaned_data["change"].split(":", 2)
        if kind == "role":
            return {"action": action, "role": value}
        return {"action": action, "team": self._teams[int(value)], "place": kind}
