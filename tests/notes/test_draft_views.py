"""The autosave of the note form, and its draft back in the form after signing in again."""

import time
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from cases.models import CaseShare
from cases.services import share_revoke
from notes import services
from notes.models import NoteDraft
from tests.conftest import client_for
from tests.factories import CaseFactory
from tests.personas import share

pytestmark = pytest.mark.django_db

TYPED = "Client said the landlord changed the locks on Tuesday while she was at work"


@pytest.fixture
def case(alice):
    return CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))


def _autosave(client: Client, case, **values):
    fields = {"contact_date": "01/01/2026", "contact_time": "10:00", "channel": "phone"}
    return client.post(reverse("notes:note_draft_save", args=[case.pk]), {**fields, **values})


def _last_active(client: Client, seconds_ago: int) -> int:
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()
    return session[LAST_ACTIVITY_SESSION_KEY]


def test_the_autosave_keeps_what_the_owner_typed(case, alice):
    client = client_for(alice)

    response = _autosave(client, case, facts=TYPED)

    assert response.status_code == 200
    assert response.json()["kept"]
    draft = NoteDraft.objects.get(author=alice, case=case)
    draft.case = case
    assert draft.form_values()["facts"] == TYPED
    assert draft.form_values()["channel"] == "phone"


def test_an_autosave_of_an_emptied_form_forgets_the_draft(case, alice):
    client = client_for(alice)
    _autosave(client, case, facts=TYPED)

    response = _autosave(client, case, facts="  ")

    assert response.json() == {"kept": None}
    assert not NoteDraft.objects.exists()


@pytest.mark.parametrize(
    ("who", "grant", "status"),
    [
        ("bob", None, 404),
        ("dave", None, 404),
        ("erin", None, 404),
        ("bob", CaseShare.Level.VIEW, 403),
    ],
    ids=["a team-mate", "another team's adviser", "an admin", "a view-only share"],
)
def test_the_autosave_is_refused_to_anyone_who_may_not_add_a_note(
    request, case, who, grant, status
):
    user = request.getfixturevalue(who)
    if grant:
        share(case, user, grant)

    assert _autosave(client_for(user), case, facts=TYPED).status_code == status
    assert not NoteDraft.objects.exists()


def test_a_contributor_by_share_may_autosave(case, bob):
    share(case, bob, CaseShare.Level.CONTRIBUTE)

    assert _autosave(client_for(bob), case, facts=TYPED).status_code == 200
    assert NoteDraft.objects.filter(author=bob).exists()


def test_the_autosave_does_not_keep_an_idle_session_alive(case, alice):
    client = client_for(alice)
    before = _last_active(client, seconds_ago=10 * 60)

    assert _autosave(client, case, facts=TYPED).status_code == 200

    assert client.session[LAST_ACTIVITY_SESSION_KEY] == before
    # A page the person opens does count: the clock moves on.
    client.get(reverse("cases:case_detail", args=[case.pk]))
    assert client.session[LAST_ACTIVITY_SESSION_KEY] > before


def test_the_autosave_of_a_timed_out_session_is_refused_and_signs_it_out(case, alice):
    client = client_for(alice)
    _last_active(client, seconds_ago=31 * 60)

    response = _autosave(client, case, facts=TYPED)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert not NoteDraft.objects.exists()


def test_the_case_page_puts_the_authors_draft_back_with_a_notice_and_records_the_reading(
    case, alice
):
    services.note_draft_save(case=case, author=alice, values={"facts": TYPED, "channel": "video"})
    draft = NoteDraft.objects.get()

    response = client_for(alice).get(reverse("cases:case_detail", args=[case.pk]))

    page = response.content.decode()
    assert response.context["note_form"].initial["facts"] == TYPED
    assert response.context["note_form"].initial["channel"] == "video"
    assert "Restored your unsaved draft from" in page
    assert TYPED in page
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(NoteDraft),
        object_pk=str(draft.pk),
        actor=alice,
    ).exists()


def test_the_case_page_never_shows_someone_elses_draft(case, alice, carol):
    services.note_draft_save(case=case, author=alice, values={"facts": TYPED})

    response = client_for(carol).get(reverse("cases:case_detail", args=[case.pk]))

    assert response.status_code == 200
    assert TYPED not in response.content.decode()
    assert response.context["note_draft"] is None


def test_a_draft_is_not_shown_once_its_author_may_no_longer_add_notes(case, alice, bob):
    made = share(case, bob, CaseShare.Level.CONTRIBUTE)
    services.note_draft_save(case=case, author=bob, values={"facts": TYPED})

    share_revoke(share=made, revoked_by=alice)

    response = client_for(bob).get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 404
    assert TYPED.encode() not in response.content


def test_discarding_the_draft_deletes_it(case, alice):
    services.note_draft_save(case=case, author=alice, values={"facts": TYPED})
    client = client_for(alice)

    response = client.post(reverse("notes:note_draft_discard", args=[case.pk]))

    assert response.status_code == 302
    assert response["Location"].endswith("#note-form-heading")
    assert not NoteDraft.objects.exists()
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert TYPED not in page


def test_discarding_is_refused_to_anyone_who_may_not_add_a_note(case, alice, dave):
    services.note_draft_save(case=case, author=alice, values={"facts": TYPED})

    response = client_for(dave).post(reverse("notes:note_draft_discard", args=[case.pk]))

    assert response.status_code == 404
    assert NoteDraft.objects.exists()


def test_saving_the_note_from_the_form_deletes_the_draft(case, alice):
    client = client_for(alice)
    _autosave(client, case, facts=TYPED)
    now = timezone.localtime() - timedelta(minutes=5)

    response = client.post(
        reverse("notes:note_add", args=[case.pk]),
        {
            "contact_date": f"{now:%d/%m/%Y}",
            "contact_time": f"{now:%H:%M}",
            "channel": "phone",
            "facts": TYPED,
            "next_steps": "Write to the landlord",
        },
    )

    assert response.status_code == 302
    assert not NoteDraft.objects.exists()


def test_a_note_sent_after_the_session_timed_out_leads_back_to_the_form_after_signing_in(
    case, alice
):
    client = client_for(alice)
    _autosave(client, case, facts=TYPED)
    _last_active(client, seconds_ago=31 * 60)

    sent = client.post(reverse("notes:note_add", args=[case.pk]), {"facts": TYPED})

    assert sent.status_code == 302
    assert sent["Location"].startswith(reverse("login"))
    next_url = reverse("notes:note_add", args=[case.pk])
    assert sent["Location"] == f"{reverse('login')}?next={next_url}"
    signed_in_again = client_for(alice)
    back = signed_in_again.get(next_url)
    assert back.status_code == 302
    assert back["Location"] == reverse("cases:case_detail", args=[case.pk]) + "#note-form-heading"
    page = signed_in_again.get(back["Location"]).content.decode()
    assert TYPED in page
