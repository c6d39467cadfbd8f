"""A form posted twice (a retry after an error, a double click) does its work once and
answers the second time as it did the first."""

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from caseload.models import FormSubmission
from cases.models import BreakGlassAccess, BreakGlassRequest, Case, Client, Referral
from notes.models import Action, CaseNote
from notifications.models import Notification
from priorities.models import Organisation
from reviews.models import CaseloadReview
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory, ConsentFactory

pytestmark = pytest.mark.django_db

CRISIS = "Client in crisis at reception and needs help today"


def _twice(client, url, data):
    """The same form posted twice, with the one token it was shown with."""
    data = {**data, "form_token": str(uuid.uuid4())}
    return client.post(url, data), client.post(url, data)


def _note(day):
    return {
        "contact_date": day.strftime("%d/%m/%Y"),
        "contact_time": day.strftime("%H:%M"),
        "channel": "phone",
        "facts": "Client rang about the notice",
        "next_steps": "Call back tomorrow",
    }


def test_breaking_the_glass_twice_with_one_form_grants_once_and_tells_people_once(
    alice, bob, carol
):
    case = CaseFactory(assigned_to=alice, restricted=True)
    url = reverse("cases:break_glass")

    first, second = _twice(client_for(bob), url, {"reference": case.reference, "reason": CRISIS})

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert BreakGlassAccess.objects.filter(case=case, user=bob).count() == 1
    assert BreakGlassRequest.objects.filter(user=bob).count() == 1
    assert Notification.objects.filter(recipient=carol, case=case).count() == 1


def test_a_break_glass_request_past_the_limit_sent_twice_asks_the_supervisor_once(
    alice, bob, carol
):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    case = CaseFactory(assigned_to=alice, restricted=True)

    first, second = _twice(
        client_for(bob),
        reverse("cases:break_glass"),
        {"reference": case.reference, "reason": CRISIS},
    )

    assert second["Location"] == first["Location"]
    assert BreakGlassRequest.objects.filter(user=bob, status="pending").count() == 1
    assert Notification.objects.filter(recipient=carol).count() == 1


def test_a_note_sent_twice_is_saved_once(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    url = reverse("notes:note_add", args=[case.pk])

    first, second = _twice(client_for(alice), url, _note(timezone.localtime() - timedelta(hours=1)))

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert CaseNote.objects.filter(case=case).count() == 1


def test_the_second_post_says_nothing_was_done_again(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    client = client_for(alice)
    url = reverse("notes:note_add", args=[case.pk])
    _, second = _twice(client, url, _note(timezone.localtime() - timedelta(hours=1)))

    page = client.get(second["Location"]).content.decode()

    assert "already been sent, so nothing was done again" in page


def test_an_action_sent_twice_is_added_once(alice):
    case = CaseFactory(assigned_to=alice)
    due = timezone.localdate() + timedelta(days=7)

    first, second = _twice(
        client_for(alice),
        reverse("notes:action_add", args=[case.pk]),
        {
            "description": "Write to the landlord",
            "owner": "adviser",
            "due_on": due.strftime("%d/%m/%Y"),
        },
    )

    assert second["Location"] == first["Location"]
    assert Action.objects.filter(case=case).count() == 1


def test_a_referral_out_sent_twice_is_recorded_once(alice):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(client=case.client, recorded_by=alice, scope="all")

    first, second = _twice(
        client_for(alice),
        reverse("cases:referral_out_add", args=[case.pk]),
        {
            "agency": "Shelter",
            "contact": "Housing helpline",
            "reason": "Specialist housing advice",
            "consent": consent.pk,
        },
    )

    assert first.status_code == 302
    assert second["Location"] == first["Location"]
    assert Referral.objects.filter(case=case).count() == 1


def test_a_new_client_and_case_sent_twice_are_created_once(alice):
    housing = CaseTypeFactory(name="Housing")

    first, second = _twice(
        client_for(alice),
        reverse("cases:client_create"),
        {
            "given_name": "Ottoline",
            "family_name": "Quillfeather",
            "date_of_birth": "03/11/1987",
            "postcode": "LS6 2QT",
            "case-case_type": housing.pk,
            "case-presenting_issue": "Rent arrears",
            "case-referral_source": "self",
        },
    )

    assert first.status_code == 302
    assert second["Location"] == first["Location"]
    assert Client.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_review_submitted_and_signed_off_twice_tells_people_once(alice, carol):
    case = CaseFactory(assigned_to=alice)
    adviser, supervisor = client_for(alice), client_for(carol)
    adviser.post(reverse("reviews:review_start"))
    review = CaseloadReview.objects.get()
    adviser.post(
        reverse("reviews:review_decide", args=[review.pk, case.pk]),
        {"decision": "continue", "comment": ""},
    )
    adviser.post(
        reverse("reviews:review_reflection", args=[review.pk]),
        {"factors_note": "Winter claims doubled.", "improvements": "Book follow-ups early."},
    )
    told_carol = Notification.objects.filter(recipient=carol).count()

    submitted = _twice(adviser, reverse("reviews:review_submit", args=[review.pk]), {})
    told_alice = Notification.objects.filter(recipient=alice).count()
    signed = _twice(
        supervisor, reverse("reviews:review_sign_off", args=[review.pk]), {"comment": "Good"}
    )

    assert submitted[1]["Location"] == submitted[0]["Location"]
    assert signed[1]["Location"] == signed[0]["Location"]
    assert CaseloadReview.objects.get().is_signed_off
    assert Notification.objects.filter(recipient=carol).count() == told_carol + 1
    assert Notification.objects.filter(recipient=alice).count() == told_alice + 1


def test_a_refused_form_keeps_its_token_and_sent_again_corrected_is_saved(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    client = client_for(alice)
    url = reverse("notes:note_add", args=[case.pk])
    token = str(uuid.uuid4())
    day = timezone.localtime() - timedelta(hours=1)

    refused = client.post(url, {**_note(day), "facts": "", "form_token": token})
    saved = client.post(url, {**_note(day), "form_token": token})

    assert refused.status_code == 400
    assert f'name="form_token" value="{token}"' in refused.content.decode()
    assert saved.status_code == 302
    assert CaseNote.objects.filter(case=case).count() == 1


def test_each_form_page_is_shown_with_a_new_token(alice):
    case = CaseFactory(assigned_to=alice)
    client = client_for(alice)
    url = reverse("notes:action_add", args=[case.pk])

    tokens = [
        re.search(r'name="form_token" value="([0-9a-f-]{36})"', client.get(url).content.decode())
        for _ in range(2)
    ]

    assert all(tokens)
    assert tokens[0].group(1) != tokens[1].group(1)


def test_a_token_someone_else_used_does_nothing_for_another_person(alice, bob):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    CaseFactory(assigned_to=bob, opened_yesterday=True)
    data = {**_note(timezone.localtime() - timedelta(hours=1)), "form_token": str(uuid.uuid4())}
    client_for(alice).post(reverse("notes:note_add", args=[case.pk]), data)
    bobs_case = Case.objects.get(assigned_to=bob)

    response = client_for(bob).post(reverse("notes:note_add", args=[bobs_case.pk]), data)

    assert response["Location"] == reverse("home")
    assert not CaseNote.objects.filter(case=bobs_case).exists()


def test_old_tokens_are_forgotten_when_their_owner_sends_a_form(alice):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    FormSubmission.objects.create(
        token=uuid.uuid4(),
        user=alice,
        redirect_to="/",
        created_at=timezone.now() - timedelta(days=8),
    )

    _twice(
        client_for(alice),
        reverse("notes:note_add", args=[case.pk]),
        _note(timezone.localtime() - timedelta(hours=1)),
    )

    assert FormSubmission.objects.filter(user=alice).count() == 1


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_the_same_moment_save_one_note(alice):
    """Each post on its own connection, both started together: the second waits on the
    first's claim of the token, then answers with its redirect."""
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    url = reverse("notes:note_add", args=[case.pk])
    data = {**_note(timezone.localtime() - timedelta(hours=1)), "form_token": str(uuid.uuid4())}
    clients = [client_for(alice), client_for(alice)]
    start = threading.Barrier(2)
    responses = [None, None]

    def post(i):
        try:
            start.wait(timeout=30)
            responses[i] = clients[i].post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert CaseNote.objects.filter(case=case).count() == 1
