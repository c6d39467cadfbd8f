"""'Contains third-party information' on a note: set when the note is written, covered by
the chain only when ticked, so every note written before still verifies."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notes import services
from notes.integrity import chain_breaks
from notes.models import CaseNote
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _note(case, author, **extra):
    return services.note_append(
        case=case,
        author=author,
        contact_at=timezone.now() - timedelta(hours=1),
        channel="phone",
        facts="Her sister is in hospital",
        next_steps="Call back on Monday",
        **extra,
    )


def test_a_note_marked_as_holding_third_party_information_keeps_the_chain_verifying(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    _note(case, alice)
    marked = _note(case, alice, third_party_information=True)
    _note(case, alice)

    assert CaseNote.objects.get(pk=marked.pk).third_party_information is True
    assert [r.problem for r in chain_breaks(case_id=case.pk)] == [None, None, None]
    call_command("verify_notes")


def test_an_unticked_note_is_linked_over_exactly_what_notes_were_linked_over_before(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    plain = CaseNote.objects.get(pk=_note(case, alice).pk)
    marked = CaseNote.objects.get(pk=_note(case, alice, third_party_information=True).pk)

    assert b"third_party_information" not in plain.canonical_content()
    assert b'"third_party_information":true' in marked.canonical_content()


def test_the_flag_is_covered_by_the_link_once_ticked(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    marked = CaseNote.objects.get(pk=_note(case, alice, third_party_information=True).pk)

    marked.third_party_information = False

    assert marked.compute_hash() != marked.content_hash


def test_the_note_form_s_checkbox_marks_the_note(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    contact = timezone.localtime() - timedelta(minutes=5)

    response = client_for(alice).post(
        reverse("notes:note_add", args=[case.pk]),
        {
            "contact_date": contact.strftime("%d/%m/%Y"),
            "contact_time": contact.strftime("%H:%M"),
            "channel": "phone",
            "facts": "Her son's school rang about his health",
            "next_steps": "Write to the school",
            "third_party_information": "on",
        },
    )

    assert response.status_code == 302
    assert CaseNote.objects.get(case=case).third_party_information is True
