import datetime
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from cases.models import Team, User
from demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, PEOPLE, demo_code
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


def _row_counts() -> dict[str, int]:
    """Rows in every table the demo fills, by model."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "cases",
            "notes",
            "priorities",
            "reviews",
            "notifications",
            "documents",
            "api",
            "dataprotection",
            "accounts",
            "configuration",
        }
    }


def test_the_demo_loads_again_without_duplicating_anything(capsys):
    counts = _row_counts()
    call_command("demo")

    assert _row_counts() == counts
    counts = (User.objects.count(), Team.objects.count())
    # 12 people who sign in, and the partner integration's service account (demo.partners)
    assert counts == (14, 2)
    assert "caseload-demo" in capsys.readouterr().out


def test_the_demo_has_about_sixty_clients_and_eighty_cases_in_varied_states():
    from cases.models import Case, Client

    # 60 + 2 referred in, 3 former clients of the retention demo (demo.dp_erasure) and
    # one referred by the partner through the API (demo.partners)
    assert Client.objects.count() == 66
    assert Case.objects.count() == 86
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == {"referred", "open", "on_hold", "closed"}
    assert Case.objects.filter(restricted=True).exists()
    assert Case.objects.filter(shares__isnull=False).exists()
    assert Case.objects.filter(assigned_to__isnull=True, status="referred").count() == 3


def test_the_demo_has_two_supervisors_eight_advisers_and_an_admin():

    by_role = {
        role: User.objects.filter(groups__name=role).count()
        for role in ("Adviser", "Supervisor", "Admin")
    }
    assert by_role == {"Adviser": 8, "Supervisor": 2, "Admin": 1}


def test_every_demo_login_works(client):

    for person in PEOPLE:
        client.logout()
        client.post(reverse("login"), {"username": person.username, "password": DEMO_PASSWORD})
        response = client.post(
            reverse("accounts:two_factor_verify"), {"code": demo_code()}, follow=True
        )
        assert response.status_code == 200, person.username
        assert response.context["user"].username == person.username
        assert response.context["user"].is_verified(), person.username


def test_the_demo_prints_how_to_get_the_second_factor_code(capsys):
    call_command("demo_code")

    out = capsys.readouterr().out
    assert DEMO_TOTP_SECRET in out
    assert re.search(r"^\d{6}$", out, re.MULTILINE)


def test_the_demo_refuses_to_load_in_production(settings):
    settings.PRODUCTION = True

    before = _row_counts()

    with pytest.raises(CommandError, match="Refusing to load demo users"):
        call_command("demo")
    assert _row_counts() == before


def test_the_demo_shows_notes_corrections_late_entries_and_overdue_actions(capsys):
    from notes.models import Action, CaseNote

    call_command("verify_notes")

    notes = list(CaseNote.objects.all())
    assert len(notes) > 100
    assert any(note.corrects_id for note in notes)
    assert any(note.is_late for note in notes)
    assert any(action.is_overdue() for action in Action.objects.all())
    assert "every chain is intact" in capsys.readouterr().out


def test_the_demo_gives_alice_a_note_draft_to_find_on_her_case_page():
    from notes.models import NoteDraft

    (draft,) = NoteDraft.objects.select_related("author", "case__client__data_key")
    assert draft.author.username == "alice"
    assert draft.case.assigned_to == draft.author
    assert draft.form_values()["facts"].startswith("Client rang back")


def test_the_demo_shows_priorities_overrides_old_versions_and_cases_past_due():
    import datetime

    from cases.models import Case
    from priorities.models import Assessment, CriteriaVersion

    levels = set(Case.objects.open().values_list("level", flat=True))
    assert levels == {"red", "amber", "green", ""}
    assert CriteriaVersion.objects.count() == 2
    assert Assessment.objects.filter(kind="override").count() == 1
    assert Assessment.objects.filter(version__number=1).exists()
    assert Case.objects.open().filter(next_due_on__lt=datetime.date.today()).exists()


def test_the_demo_shows_flags_notifications_and_last_week_s_reports():
    from notifications.models import Notification
    from priorities.models import DeadlineFlag
    from reviews.models import CaseloadReport

    assert DeadlineFlag.objects.filter(stage="breached").exists()
    assert Notification.objects.filter(recipient__username="alice").exists()
    assert CaseloadReport.objects.count() == 2


def test_the_demo_shows_caseload_reviews_at_every_stage_and_an_adviser_over_capacity():
    from reviews.models import CapacityConcern, CaseloadReview
    from reviews.selectors import adviser_figures

    statuses = dict(CaseloadReview.objects.values_list("adviser__username", "status"))
    assert statuses == {"bob": "signed_off", "dave": "submitted", "alice": "in_progress"}
    tom = CapacityConcern.objects.get().adviser
    assert tom.username == "tom"
    assert adviser_figures([tom])[tom.pk].over_capacity


def test_the_demo_has_a_timescale_flagging_at_a_percentage_of_the_window():
    from priorities.models import DeadlineWatch, Timescale

    assert Timescale.objects.filter(level="green", approaching_mode="percent").exists()
    assert DeadlineWatch.objects.filter(case__level="green").exists()


def test_the_demo_calendar_has_a_closure_day_on_a_working_wednesday():
    from priorities.models import ClosureDay

    closure = ClosureDay.objects.get()
    assert closure.day.weekday() == 2
    erin = client_for(User.objects.get(username="erin"))
    assert "Staff training day" in erin.get(reverse("configuration:calendar")).content.decode()


def test_the_demo_gives_the_dashboard_recent_closures_and_a_break_glass_access():
    from cases.models import BreakGlassAccess, BreakGlassRequest, Case

    recent = timezone.localdate() - datetime.timedelta(weeks=12)
    for team in ("North Team", "South Team"):
        assert Case.objects.filter(team__name=team, closed_on__gte=recent).count() >= 3
    assert BreakGlassAccess.objects.count() == 1
    assert BreakGlassRequest.objects.filter(status="pending").count() == 1


def test_the_demo_shows_deadlines_before_assessment_and_notification_choices():
    from cases.models import Case
    from notifications.models import Delivery, Kind
    from notifications.selectors import deliveries_for

    waiting = Case.objects.filter(assigned_to__isnull=True, status="referred")
    assert waiting.filter(allocation_due_on__isnull=False).count() == 3
    assert waiting.filter(level="red", assessed_at__isnull=True).exists()
    assert Case.objects.filter(level="", first_contact_due_on__isnull=False).exists()
    assert deliveries_for(User.objects.get(username="carol"))[Kind.DEADLINE] == Delivery.IN_APP


def test_the_demo_shows_a_withdrawn_an_expired_and_a_contact_consent():
    from cases.models import CaseEvent, ConsentRecord

    withdrawn = ConsentRecord.objects.get(withdrawn_on__isnull=False)
    assert withdrawn.shares.get().revoked_at is not None
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CONSENT_ENDED).count() == 1
    assert ConsentRecord.objects.expired().count() == 1
    contact = ConsentRecord.objects.current().get(scope=ConsentRecord.Scope.CONTACT)
    assert contact.channel == ConsentRecord.Channel.TEXT


def test_the_demo_attaches_a_letter_to_a_case_and_a_consent_form_to_its_client_once():
    from documents.models import Document

    documents = list(Document.objects.select_related("case", "client"))
    assert len(documents) == 2
    assert {"case" if d.case_id else "client" for d in documents} == {"case", "client"}
    assert all(d.subject.cases.filter(assigned_to__username="alice").exists() for d in documents)


def test_the_demo_has_a_partner_integration_and_the_referral_it_sent_once():
    from api.models import ApiToken
    from cases.models import Referral

    token = ApiToken.objects.get(kind=ApiToken.Kind.INTEGRATION)
    assert token.team.name == "North Team"
    referral = Referral.objects.get(created_by=token.service_user)
    assert referral.case.assigned_to is None
