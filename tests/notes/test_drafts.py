"""Draft notes: what someone typed and did not yet save, kept encrypted for them alone."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from notes import selectors, services
from notes.models import CaseNote, NoteDraft
from notes.tasks import note_drafts_sweep_task
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TYPED = "Client said the landlord changed the locks on Tuesday while she was at work"


@pytest.fixture
def case(alice):
    """Opened a week ago, so notes of the last few days come after its opening."""
    return CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))


def _draft(case, author, *, facts=TYPED, now=None) -> NoteDraft:
    return services.note_draft_save(
        case=case,
        author=author,
        values={"facts": facts, "channel": "phone", "next_steps": ""},
        now=now,
    )


def _note(case, author, *, corrects=None):
    now = timezone.now()
    return services.note_append(
        case=case,
        author=author,
        contact_at=now - timedelta(hours=2),
        channel="phone",
        facts="Client called about the locks",
        next_steps="Write to the landlord",
        corrects=corrects,
        correction_reason="Wrong channel" if corrects else "",
        now=now,
    )


def test_a_draft_is_stored_encrypted_and_read_back_as_typed(case, alice):
    draft = _draft(case, alice)

    with connection.cursor() as cursor:
        cursor.execute("SELECT values FROM notes_notedraft WHERE id = %s", [draft.pk])
        (stored,) = cursor.fetchone()
    assert "landlord" not in stored
    assert "phone" not in stored
    found = selectors.note_draft_for(user=alice, case=case, now=timezone.now())
    assert found is not None
    assert found.form_values()["facts"] == TYPED


def test_saving_a_draft_again_replaces_what_was_kept(case, alice):
    _draft(case, alice, facts="First words")
    _draft(case, alice, facts="First words, and more")

    assert NoteDraft.objects.count() == 1
    found = selectors.note_draft_for(user=alice, case=case, now=timezone.now())
    assert found.form_values()["facts"] == "First words, and more"


def test_a_draft_is_given_only_to_its_author(case, alice, carol):
    _draft(case, alice)

    assert selectors.note_draft_for(user=carol, case=case, now=timezone.now()) is None
    assert selectors.note_draft_for(user=alice, case=case, now=timezone.now()) is not None


def test_a_draft_far_too_long_is_refused(case, alice):
    with pytest.raises(ValidationError):
        _draft(case, alice, facts="x" * (services.DRAFT_MAX_CHARACTERS + 1))

    assert not NoteDraft.objects.exists()


def test_saving_the_note_deletes_its_authors_draft_and_nobody_elses(case, alice, carol):
    _draft(case, alice)
    _draft(case, carol, facts="Carol's own words")

    _note(case, alice)

    assert list(NoteDraft.objects.values_list("author", flat=True)) == [carol.pk]


def test_a_note_refused_leaves_the_draft_in_place(case, alice):
    _draft(case, alice)

    with pytest.raises(ValidationError):
        services.note_append(
            case=case,
            author=alice,
            contact_at=timezone.now() + timedelta(hours=1),
            channel="phone",
            facts="In the future",
            next_steps="Nothing",
        )

    assert NoteDraft.objects.filter(author=alice).exists()


def test_a_correction_leaves_the_draft_of_a_new_note_in_place(case, alice):
    original = _note(case, alice)
    _draft(case, alice)

    _note(case, alice, corrects=original)

    assert CaseNote.objects.count() == 2
    assert NoteDraft.objects.filter(author=alice).exists()


def test_a_draft_untouched_for_a_week_is_no_longer_offered_and_is_swept(case, alice, bob):
    now = timezone.now()
    old = _draft(case, alice, now=now - NoteDraft.LIFETIME - timedelta(minutes=1))
    recent = _draft(case, bob, now=now - NoteDraft.LIFETIME + timedelta(minutes=1))

    assert selectors.note_draft_for(user=alice, case=case, now=now) is None
    assert services.note_drafts_sweep(now=now) == 1
    assert list(NoteDraft.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not NoteDraft.objects.filter(pk=old.pk).exists()


def test_the_sweep_task_deletes_old_drafts(case, alice):
    _draft(case, alice, now=timezone.now() - NoteDraft.LIFETIME - timedelta(hours=1))

    assert note_drafts_sweep_task.apply().get() == 1
    assert not NoteDraft.objects.exists()


def test_the_change_log_of_a_draft_holds_none_of_its_text(case, alice):
    _draft(case, alice)
    _draft(case, alice, facts=TYPED + " and took her keys")
    _note(case, alice)

    entries = LogEntry.objects.filter(content_type__model="notedraft")
    assert [entry.action for entry in entries.order_by("pk")] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.DELETE,
    ]
    for entry in entries:
        assert "landlord" not in f"{entry.changes} {entry.object_repr} {entry.additional_data}"
