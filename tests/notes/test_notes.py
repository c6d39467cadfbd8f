"""Case notes: append-only at every layer, corrections, late entries, the hash chain."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from caseload import crypto
from caseload.append_only import APPEND_ONLY_TABLES, AppendOnlyError
from cases.models import Case, CaseEvent
from notes import services
from notes.integrity import chain_breaks
from notes.models import Action, CaseNote
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _note(case, author, *, hours_ago=2, facts="Client called about the rent", **extra):
    now = timezone.now()
    return services.note_append(
        case=case,
        author=author,
        contact_at=now - timedelta(hours=hours_ago),
        channel=extra.pop("channel", "phone"),
        facts=facts,
        next_steps=extra.pop("next_steps", "Call the landlord on Monday"),
        now=extra.pop("now", now),
        **extra,
    )


@pytest.fixture
def case(alice):
    """Opened a week ago, so notes of the last few days come after its opening."""
    return CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))


def test_the_append_only_triggers_are_installed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        )
        triggers = set(cursor.fetchall())

    for table in APPEND_ONLY_TABLES:
        assert (table, f"{table}_append_only") in triggers
        assert (table, f"{table}_no_truncate") in triggers


def test_a_note_reads_back_and_its_text_is_not_stored_in_plaintext(case, alice):
    note = _note(case, alice, facts="Ottoline said the boiler is broken")

    with connection.cursor() as cursor:
        cursor.execute("SELECT facts, next_steps FROM notes_casenote WHERE id = %s", [note.pk])
        stored = cursor.fetchone()

    assert CaseNote.objects.get(pk=note.pk).facts == "Ottoline said the boiler is broken"
    assert all(value.startswith("v2.") for value in stored)
    assert "boiler" not in " ".join(stored)


def test_saving_an_existing_note_is_refused(case, alice):
    note = CaseNote.objects.get(pk=_note(case, alice).pk)
    note.channel = "email"

    with pytest.raises(AppendOnlyError):
        note.save()


def test_deleting_a_note_is_refused(case, alice):
    note = _note(case, alice)

    with pytest.raises(AppendOnlyError):
        note.delete()


def test_a_queryset_cannot_update_or_delete_notes(case, alice):
    _note(case, alice)

    with pytest.raises(AppendOnlyError):
        CaseNote.objects.filter(case=case).update(channel="email")
    with pytest.raises(AppendOnlyError):
        CaseNote.objects.filter(case=case).delete()


def test_notes_are_not_in_the_admin():
    assert CaseNote not in admin.site._registry
    assert Action not in admin.site._registry


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes_casenote SET channel = 'email'",
        "DELETE FROM notes_casenote",
        "UPDATE cases_caseevent SET summary = 'rewritten'",
        "DELETE FROM cases_caseevent",
    ],
)
def test_the_database_refuses_raw_sql_that_changes_the_record(case, alice, sql):
    _note(case, alice)

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert CaseNote.objects.filter(case=case).count() == 1


def test_the_database_refuses_truncate_of_notes_even_to_a_superuser(case, alice):
    _note(case, alice)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way
        with pytest.raises(IntegrityError, match="TRUNCATE refused"), transaction.atomic():
            cursor.execute("TRUNCATE notes_casenote CASCADE")


def test_a_note_needs_facts_and_next_steps_or_no_further_action(case, alice):
    with pytest.raises(ValidationError) as error:
        services.note_append(
            case=case, author=alice, contact_at=timezone.now(), channel="phone", facts=" "
        )

    assert set(error.value.error_dict) == {"facts", "next_steps"}
    assert not CaseNote.objects.exists()


def test_no_further_action_needs_a_reason(case, alice):
    with pytest.raises(ValidationError) as error:
        services.note_append(
            case=case,
            author=alice,
            contact_at=timezone.now(),
            channel="phone",
            facts="Closed the loop",
            no_further_action=True,
        )

    assert set(error.value.error_dict) == {"no_further_action_reason"}


def test_a_contact_in_the_future_is_refused(case, alice):
    with pytest.raises(ValidationError) as error:
        _note(case, alice, hours_ago=-1)

    assert "contact_at" in error.value.error_dict


def test_a_note_written_more_than_a_day_after_the_contact_is_a_late_entry(case, alice):
    timely = _note(case, alice, hours_ago=23)
    late = _note(case, alice, hours_ago=25)

    assert not timely.is_late
    assert late.is_late


def test_the_late_entry_threshold_is_configurable(case, alice, settings):
    settings.CASELOAD_LATE_ENTRY_HOURS = 2

    assert _note(case, alice, hours_ago=3).is_late


def test_a_correction_points_at_the_note_it_corrects_and_both_stay(case, alice):
    original = _note(case, alice, facts="Rent is £450")

    correction = _note(
        case, alice, facts="Rent is £540", corrects=original, correction_reason="Digits swapped"
    )

    assert CaseNote.objects.count() == 2
    assert correction.corrects == original
    assert list(original.corrections.all()) == [correction]
    assert CaseNote.objects.get(pk=original.pk).facts == "Rent is £450"


def test_a_correction_needs_a_reason_and_the_same_case(case, alice):
    original = _note(case, alice)
    other = CaseFactory(assigned_to=alice, opened_yesterday=True)

    with pytest.raises(ValidationError) as error:
        _note(other, alice, corrects=original)

    assert set(error.value.error_dict) == {"corrects", "correction_reason"}


def test_a_contact_note_updates_the_case_s_last_contact_but_a_file_note_does_not(case, alice):
    contact = _note(case, alice, hours_ago=5)
    _note(case, alice, hours_ago=1, channel="file_note")

    assert Case.objects.get(pk=case.pk).last_contact_at == contact.contact_at


def test_an_action_agreed_in_a_note_is_created_with_it(case, alice):
    note = _note(
        case,
        alice,
        action={
            "description": "Send the form",
            "owner": "client",
            "owner_detail": "",
            "due_on": timezone.localdate() + timedelta(days=7),
        },
    )

    action = Action.objects.get()
    assert action.note == note
    assert action.description == "Send the form"


def test_a_bad_action_in_a_note_saves_neither(case, alice):
    with pytest.raises(ValidationError):
        _note(
            case,
            alice,
            action={
                "description": "Chase",
                "owner": "third_party",
                "owner_detail": "",
                "due_on": timezone.localdate() + timedelta(days=7),
            },
        )

    assert not CaseNote.objects.exists()
    assert not Action.objects.exists()


def test_completing_and_cancelling_actions_are_recorded(case, alice):
    due = timezone.localdate() + timedelta(days=3)
    first = services.action_create(
        case=case, description="a", owner="adviser", due_on=due, created_by=alice
    )
    second = services.action_create(
        case=case, description="b", owner="adviser", due_on=due, created_by=alice
    )

    services.action_complete(action=first, completed_by=alice)
    with pytest.raises(ValidationError):
        services.action_cancel(action=second, reason="", cancelled_by=alice)
    services.action_cancel(action=second, reason="Client found work", cancelled_by=alice)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.completed_by) == ("done", alice)
    assert (second.status, second.cancel_reason) == ("cancelled", "Client found work")
    assert case.events.filter(kind=CaseEvent.Kind.ACTION).count() == 4


def test_an_open_action_past_its_date_is_overdue_on_the_caseload(case, alice):
    action = services.action_create(
        case=case,
        description="Chase council",
        owner="adviser",
        due_on=timezone.localdate() - timedelta(days=1),
        created_by=alice,
        today=timezone.localdate() - timedelta(days=5),
    )

    response = client_for(alice).get(reverse("cases:my_caseload"))

    assert action.is_overdue()
    assert response.context["page"].object_list[0].overdue_actions == 1
    assert "1 overdue action" in response.content.decode()


def test_the_notes_of_a_case_form_an_unbroken_chain(case, alice):
    notes = [_note(case, alice, hours_ago=h) for h in (5, 4, 3)]

    assert [n.sequence for n in notes] == [1, 2, 3]
    assert notes[1].previous_hash == notes[0].content_hash
    assert [r.problem for r in chain_breaks()] == [None, None, None]


def test_verify_notes_reports_an_intact_record(case, alice, capsys):
    _note(case, alice)

    call_command("verify_notes")

    assert "1 note(s) checked; every chain is intact." in capsys.readouterr().out


def _tamper(sql: str, params: list) -> None:
    """Change a note as a database owner could, with the trigger switched off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way
        cursor.execute("ALTER TABLE notes_casenote DISABLE TRIGGER notes_casenote_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE notes_casenote ENABLE TRIGGER notes_casenote_append_only")


def test_verify_notes_finds_a_note_altered_behind_the_database_s_back(case, alice, capsys):
    _note(case, alice, hours_ago=3)
    victim = _note(case, alice, hours_ago=2)
    other = CaseNote.objects.get(pk=_note(case, alice, hours_ago=1).pk)
    _tamper("UPDATE notes_casenote SET facts = %s WHERE id = %s", [other.facts, victim.pk])

    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_notes")

    assert f"BREAK case {case.pk} note {victim.pk} (sequence 2)" in capsys.readouterr().out


def test_verify_notes_finds_a_deleted_note(case, alice, capsys):
    _note(case, alice, hours_ago=3)
    victim = _note(case, alice, hours_ago=2)
    _note(case, alice, hours_ago=1)
    _tamper("DELETE FROM notes_casenote WHERE id = %s", [victim.pk])

    with pytest.raises(CommandError):
        call_command("verify_notes")

    assert "a note is missing" in capsys.readouterr().out


def test_crypto_shredding_leaves_the_notes_and_their_chain_intact(case, alice):
    _note(case, alice, hours_ago=2)
    _note(case, alice, hours_ago=1)

    crypto.data_key_shred(data_key=case.client.data_key)

    assert CaseNote.objects.filter(case=case).count() == 2
    assert [r.problem for r in chain_breaks(case_id=case.pk)] == [None, None]
    assert CaseNote.objects.select_related("case__client__data_key").first().facts == crypto.ERASED


def test_the_case_page_shows_a_page_of_notes_in_a_fixed_number_of_queries(
    case, alice, django_assert_max_num_queries
):
    client = client_for(alice)
    for hours in range(10):
        _note(case, alice, hours_ago=hours + 1)
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("cases:case_detail", args=[case.pk]), {"kind": "notes"})
    for hours in range(50):
        _note(case, alice, hours_ago=hours + 20)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:case_detail", args=[case.pk]), {"kind": "notes"})

    assert len(response.context["timeline"].notes) == 25
    assert response.context["timeline"].next_before is not None


def test_older_entries_continue_where_the_first_page_ended(case, alice):
    notes = [_note(case, alice, hours_ago=h + 1) for h in range(30)]
    client = client_for(alice)

    first = client.get(reverse("cases:case_detail", args=[case.pk]), {"kind": "notes"})
    before = first.context["timeline"].next_before
    second = client.get(
        reverse("cases:case_detail", args=[case.pk]),
        {"kind": "notes", "before": before.isoformat()},
    )

    shown = first.context["timeline"].notes + second.context["timeline"].notes
    assert [n.pk for n in shown] == [n.pk for n in notes]


def test_saving_a_note_does_not_need_the_broker(case, alice, settings):
    """The web application never waits on Redis: a note saves with the broker unreachable,
    and the next sweep works from the database alone."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    day = timezone.localtime() - timedelta(hours=1)

    response = client_for(alice).post(
        reverse("notes:note_add", args=[case.pk]),
        {
            "contact_date": day.strftime("%d/%m/%Y"),
            "contact_time": day.strftime("%H:%M"),
            "channel": "phone",
            "facts": "Client rang while the broker was down",
            "next_steps": "Call back tomorrow",
        },
    )

    assert response.status_code == 302
    assert CaseNote.objects.filter(case=case).count() == 1


# --- a copy of the case read before a newer write --------------------------------------


def test_a_note_written_from_a_copy_of_the_case_older_than_a_newer_contact_keeps_the_newer(
    case, alice
):
    stale = Case.objects.get(pk=case.pk)
    newer = _note(case, alice, hours_ago=1)

    _note(stale, alice, hours_ago=5)

    assert Case.objects.get(pk=case.pk).last_contact_at == newer.contact_at


def test_an_action_completed_from_two_copies_at_once_is_done_once(case, alice):
    action = services.action_create(
        case=case,
        description="Write to the landlord",
        owner=Action.Owner.ADVISER,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=alice,
    )
    other_copy = Action.objects.get(pk=action.pk)
    services.action_complete(action=action, completed_by=alice)

    with pytest.raises(ValidationError):
        services.action_complete(action=other_copy, completed_by=alice)
    assert CaseEvent.objects.filter(case=case, summary="Action done").count() == 1


# --- the cost of a note -------------------------------------------------------------------


def _housing_case(alice, *, days_ago: int = 7):
    from priorities.models import Timescale
    from tests.factories import CaseTypeFactory

    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(
        case_type=housing,
        level="green",
        first_contact_days=5,
        contact_interval_days=10,
        review_days=20,
        close_days=60,
    )
    return CaseFactory(
        assigned_to=alice, case_type=housing, now=timezone.now() - timedelta(days=days_ago)
    )


def _queries_of_a_note(case, alice, *, hours_ago: float) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _note(case, alice, hours_ago=hours_ago)
    return len([q for q in captured if "SAVEPOINT" not in q["sql"]])


def test_a_note_costs_the_same_queries_however_long_the_case_history_and_its_plans(alice):
    from priorities.models import ClosureDay

    short = _housing_case(alice)
    _note(short, alice, hours_ago=30)
    few = _queries_of_a_note(short, alice, hours_ago=5)

    long = CaseFactory(
        assigned_to=alice, case_type=short.case_type, now=timezone.now() - timedelta(days=7)
    )
    for hours in range(40, 70):
        _note(long, alice, hours_ago=hours)
    for days in range(1, 6):
        services.action_create(
            case=long,
            description="Write to the landlord",
            owner=Action.Owner.ADVISER,
            due_on=timezone.localdate() + timedelta(days=days),
            created_by=alice,
        )
    for days in range(10, 30):
        ClosureDay.objects.create(
            day=timezone.localdate() + timedelta(days=days), description="Closed"
        )
    _note(long, alice, hours_ago=30)

    assert _queries_of_a_note(long, alice, hours_ago=5) == few
    # Lock with the note's id, refusal, chain head, the note, its audit entry, the last
    # contact, the due dates' inputs (one statement), and what moved: the case's due
    # dates (with their audit entry) and the watches.
    assert few <= 12


def _hours_since_yesterday_at(hour: int) -> float:
    """``hours_ago`` for a contact at ``hour`` o'clock yesterday: two such contacts fall
    on one day whatever time the test runs."""
    yesterday = timezone.localdate() - timedelta(days=1)
    at = timezone.make_aware(datetime.combine(yesterday, time(hour)))
    return (timezone.now() - at).total_seconds() / 3600


def test_a_second_note_on_the_same_day_writes_no_due_dates(alice):
    case = _housing_case(alice)
    _note(case, alice, hours_ago=_hours_since_yesterday_at(10))

    # Lock with the note's id, refusal, chain head, the note, its audit entry, the
    # last contact, and the due dates' inputs, which moved nothing.
    assert _queries_of_a_note(case, alice, hours_ago=_hours_since_yesterday_at(11)) <= 7


def test_a_closure_day_added_a_moment_ago_moves_the_due_date_at_the_next_note(alice):
    from priorities.models import ClosureDay
    from priorities.services import organisation_calendar

    case = _housing_case(alice)
    _note(case, alice, hours_ago=_hours_since_yesterday_at(10))
    case.refresh_from_db()
    before = case.next_contact_due_on
    calendar = organisation_calendar()
    closed = next(
        day
        for day in (before - timedelta(days=n) for n in range(1, 10))
        if calendar.is_working_day(day)
    )
    ClosureDay.objects.create(day=closed, description="Staff training")

    _note(case, alice, hours_ago=_hours_since_yesterday_at(11))

    case.refresh_from_db()
    assert case.next_contact_due_on > before
    assert case.next_contact_due_on == organisation_calendar().add_working_days(
        timezone.localdate(case.last_contact_at), 10
    )
