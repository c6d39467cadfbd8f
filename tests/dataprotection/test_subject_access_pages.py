"""The DPO's subject access pages: only the Data protection role gets in; finding the
client is posted, never put in a URL; every view of the client's items is audited."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from dataprotection import sar_services
from dataprotection.models import SubjectAccessItem, SubjectAccessRequest
from tests.conftest import client_for
from tests.dataprotection.sar_world import FAMILY, SEEDED, sar_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice):
    return sar_world(alice)


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.CASELOAD_SAR_EXPORT_DIR = tmp_path / "sar"


def _urls(world):
    pk = world.request.pk
    item = ("note", world.note.pk)
    return [
        ("GET", reverse("dataprotection:sar_list")),
        ("GET", reverse("dataprotection:sar_open")),
        ("POST", reverse("dataprotection:sar_open")),
        ("GET", reverse("dataprotection:sar_detail", args=[pk])),
        ("GET", reverse("dataprotection:sar_extend", args=[pk])),
        ("POST", reverse("dataprotection:sar_extend", args=[pk])),
        ("GET", reverse("dataprotection:sar_review", args=[pk])),
        ("GET", reverse("dataprotection:sar_item_decide", args=[pk, *item])),
        ("POST", reverse("dataprotection:sar_item_decide", args=[pk, *item])),
        ("POST", reverse("dataprotection:sar_item_release_in_full", args=[pk, *item])),
        ("POST", reverse("dataprotection:sar_ready", args=[pk])),
        ("GET", reverse("dataprotection:sar_release", args=[pk])),
        ("POST", reverse("dataprotection:sar_release", args=[pk])),
        ("GET", reverse("dataprotection:sar_close", args=[pk])),
        ("POST", reverse("dataprotection:sar_close", args=[pk])),
        ("GET", reverse("dataprotection:sar_download", args=[pk])),
    ]


@pytest.mark.parametrize("persona", ["alice", "carol", "erin"])
def test_advisers_supervisors_and_admins_are_refused_every_subject_access_page(
    request, world, persona
):
    http = client_for(request.getfixturevalue(persona))

    answers = {
        (method, url): (http.get(url) if method == "GET" else http.post(url, {})).status_code
        for method, url in _urls(world)
    }

    assert set(answers.values()) == {403}, answers
    assert SubjectAccessRequest.objects.get(pk=world.request.pk).status == "open"


def test_the_list_shows_requests_with_their_due_dates_and_no_client_name(world):
    page = client_for(world.dpo).get(reverse("dataprotection:sar_list")).content.decode()

    assert world.request.reference in page
    assert world.client.reference in page
    assert SEEDED["given_name"] not in page


def test_an_overdue_request_is_marked_on_the_list(world):
    overdue = sar_services.sar_open(
        client=world.other,
        received_on=timezone.localdate() - timezone.timedelta(days=45),
        opened_by=world.dpo,
    )

    page = client_for(world.dpo).get(reverse("dataprotection:sar_list")).content.decode()

    row = page.split(overdue.reference)[1].split("</tr>")[0]
    assert "Overdue" in row


def test_the_dpo_opens_a_request_by_family_name_and_date_of_birth_posted(world):
    http = client_for(world.dpo)

    response = http.post(
        reverse("dataprotection:sar_open"),
        {
            "family_name": FAMILY.upper(),
            "date_of_birth": "12/04/1990",
            "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )

    opened = SubjectAccessRequest.objects.exclude(pk=world.request.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dataprotection:sar_detail", args=[opened.pk])
    assert opened.client == world.client
    assert opened.handled_by == world.dpo
    assert FAMILY.lower() not in response["Location"].lower()
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        object_id=world.client.pk,
        additional_data__via="subject access: find the client",
    ).exists()


def test_a_search_that_finds_nobody_keeps_what_was_typed_with_a_message(world):
    response = client_for(world.dpo).post(
        reverse("dataprotection:sar_open"),
        {"reference": "C-999999", "received_on": timezone.localdate().strftime("%d/%m/%Y")},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "No client matches" in page
    assert 'value="C-999999"' in page


def test_the_review_lists_the_client_s_items_and_audits_each_view(world):
    response = client_for(world.dpo).get(
        reverse("dataprotection:sar_review", args=[world.request.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ysolde rang about the bailiffs&#x27; letter" in page  # escaped, as shown
    assert SEEDED["rationale"] in page
    assert "Third-party information: review" in page
    assert world.other_case.reference not in page
    viewed = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__via="subject access review"
    )
    assert viewed.filter(object_id=world.note.pk).exists()
    assert viewed.filter(object_id=world.client.pk).exists()
    assert viewed.filter(object_id=world.case.pk).exists()


def test_a_decision_without_its_reason_is_shown_again_with_the_error_beside_the_field(world):
    url = reverse("dataprotection:sar_item_decide", args=[world.request.pk, "note", world.note.pk])

    response = client_for(world.dpo).post(
        url, {"decision": "redact", "reason": "", "redacted_text": "Kept [redacted]"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the legal reason." in page
    assert "Kept [redacted]" in page
    assert not SubjectAccessItem.objects.exists()


def test_an_item_of_another_client_is_not_found_in_this_request(world):
    url = reverse(
        "dataprotection:sar_item_decide", args=[world.request.pk, "note", world.other_note.pk]
    )

    assert client_for(world.dpo).get(url).status_code == 404


def test_the_download_is_an_attachment_with_a_safe_name_and_is_audited(world):
    sar_services.sar_mark_ready(request=world.request, marked_by=world.dpo)
    sar_services.sar_release(
        request=world.request,
        released_to="The client",
        method=SubjectAccessRequest.Method.SECURE_EMAIL,
        released_by=world.dpo,
    )
    sar_services.sar_export_build(request_id=world.request.pk)

    response = client_for(world.dpo).get(
        reverse("dataprotection:sar_download", args=[world.request.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="subject-access-{world.request.reference}.zip"'
    assert response.content.startswith(b"PK")
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__via="subject access download"
    ).exists()


def test_after_its_time_the_download_is_refused_and_the_page_says_the_file_was_deleted(
    world, settings
):
    sar_services.sar_mark_ready(request=world.request, marked_by=world.dpo)
    sar_services.sar_release(
        request=world.request,
        released_to="The client",
        method=SubjectAccessRequest.Method.SECURE_EMAIL,
        released_by=world.dpo,
    )
    sar_services.sar_export_build(
        request_id=world.request.pk, now=timezone.now() - timezone.timedelta(days=8)
    )
    sar_services.sar_exports_expire()
    http = client_for(world.dpo)

    refused = http.get(reverse("dataprotection:sar_download", args=[world.request.pk]))
    page = http.get(reverse("dataprotection:sar_detail", args=[world.request.pk]))

    assert refused.status_code == 302
    assert "file was deleted" in page.content.decode()


def test_the_request_page_reloads_itself_while_the_worker_builds(world):
    sar_services.sar_mark_ready(request=world.request, marked_by=world.dpo)
    sar_services.sar_release(
        request=world.request,
        released_to="The client",
        method=SubjectAccessRequest.Method.SECURE_EMAIL,
        released_by=world.dpo,
    )

    response = client_for(world.dpo).get(
        reverse("dataprotection:sar_detail", args=[world.request.pk])
    )

    assert response["Refresh"] == "10"
    assert "Refresh to see its progress" in response.content.decode()


def test_no_personal_value_reaches_the_change_log(world):
    sar_services.sar_extend(
        request=world.request, months=1, reason="Ysolde's many cases", extended_by=world.dpo
    )
    sar_services.sar_item_decide(
        request=world.request,
        kind="note",
        object_id=world.note.pk,
        decision=SubjectAccessItem.Decision.REDACT,
        reason=SubjectAccessItem.Reason.THIRD_PARTY,
        redacted_text="Ysolde rang about the letter",
        decided_by=world.dpo,
    )

    logged = " ".join(f"{e.object_repr} {e.changes}" for e in LogEntry.objects.all())
    assert "Ysolde" not in logged
