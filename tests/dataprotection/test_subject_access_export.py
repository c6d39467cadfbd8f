"""The release: every item of the client, nothing of anyone else, decisions applied, the
file encrypted on disk, built once by the worker's task."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from caseload import crypto
from dataprotection import sar_services
from dataprotection.models import SubjectAccessItem, SubjectAccessRequest
from dataprotection.sar_export import export_zip
from dataprotection.sar_selectors import sar_items
from dataprotection.tasks import build_subject_access_export_task
from tests.dataprotection.sar_world import OTHER, SEEDED, sar_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice):
    return sar_world(alice)


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.CASELOAD_SAR_EXPORT_DIR = tmp_path / "sar"


def _contents(data: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        text = next(archive.read(n) for n in names if n.endswith(".json")).decode()
        pdf = next(archive.read(n) for n in names if n.endswith(".pdf"))
    return text, pdf


def _released(world) -> str:
    text, _ = _contents(export_zip(request=world.request, now=timezone.now()))
    return text


def _ready(world):
    return sar_services.sar_mark_ready(request=world.request, marked_by=world.dpo)


def _release(world):
    sar_services.sar_release(
        request=_ready(world),
        released_to="The client, by secure email",
        method=SubjectAccessRequest.Method.SECURE_EMAIL,
        released_by=world.dpo,
    )


def test_the_release_holds_every_item_seeded_for_the_client(world):
    text = _released(world)

    for value in SEEDED.values():
        assert value in text, value
    document = json.loads(text)
    kinds = {section["kind"] for section in document["sections"]}
    assert {
        "client",
        "consent",
        "case",
        "event",
        "note",
        "assessment",
        "action",
        "outcome",
        "progress",
        "obstacle",
        "deadline",
        "access_log",
    } <= kinds
    assert world.case.reference in text


def test_the_release_holds_nothing_of_another_client_with_the_same_family_name(world):
    text = _released(world)

    for value in OTHER.values():
        if value != OTHER["given_name"]:  # named in the client's own note, as it was written
            assert value not in text, value
    assert world.other.reference not in text
    assert world.other_case.reference not in text
    assert all(
        item.object_id != world.other_note.pk
        for item in sar_items(request=world.request)
        if item.kind == "note"
    )


def test_a_withheld_item_is_left_out_and_a_redacted_one_shows_only_its_redacted_text(world):
    sar_services.sar_item_decide(
        request=world.request,
        kind="note",
        object_id=world.third_party_note.pk,
        decision=SubjectAccessItem.Decision.WITHHOLD,
        reason=SubjectAccessItem.Reason.THIRD_PARTY,
        decided_by=world.dpo,
    )
    sar_services.sar_item_decide(
        request=world.request,
        kind="note",
        object_id=world.note.pk,
        decision=SubjectAccessItem.Decision.REDACT,
        reason=SubjectAccessItem.Reason.THIRD_PARTY,
        redacted_text="Ysolde rang about the bailiffs' letter; [redacted] was there",
        decided_by=world.dpo,
    )

    text = _released(world)

    assert SEEDED["third_party"] not in text
    assert OTHER["given_name"] not in text
    assert "[redacted] was there" in text
    assert SEEDED["rationale"] in text


def test_a_decision_needs_a_legal_reason_and_a_redaction_its_text(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        sar_services.sar_item_decide(
            request=world.request,
            kind="note",
            object_id=world.note.pk,
            decision=SubjectAccessItem.Decision.REDACT,
            reason=SubjectAccessItem.Reason.OTHER,
            decided_by=world.dpo,
        )

    assert set(refused.value.message_dict) == {"reason_other", "redacted_text"}


def test_another_client_s_note_cannot_be_decided_on_in_this_request(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sar_services.sar_item_decide(
            request=world.request,
            kind="note",
            object_id=world.other_note.pk,
            decision=SubjectAccessItem.Decision.WITHHOLD,
            reason=SubjectAccessItem.Reason.THIRD_PARTY,
            decided_by=world.dpo,
        )


def test_the_pdf_shows_markup_in_a_value_as_text(world, alice):
    from notes import services as note_services

    note_services.note_append(
        case=world.case,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        channel="phone",
        facts='<img src="/etc/passwd"/> <b>bold & <i>',
        next_steps="None",
    )

    _, pdf = _contents(export_zip(request=world.request, now=timezone.now()))

    assert pdf.startswith(b"%PDF")


def test_the_task_builds_an_encrypted_file_once_and_records_the_release(world):
    _release(world)

    assert build_subject_access_export_task.apply(args=[world.request.pk]).get() is True
    assert build_subject_access_export_task.apply(args=[world.request.pk]).get() is False

    request = SubjectAccessRequest.objects.select_related("client__data_key").get(
        pk=world.request.pk
    )
    assert request.status == SubjectAccessRequest.Status.RELEASED
    assert request.released_at is not None
    assert request.released_by == world.dpo
    stored = sar_services.sar_export_path(request).read_bytes()
    for value in (SEEDED["given_name"], "Quorndonvale", SEEDED["facts"], world.case.reference):
        assert value.encode() not in stored
    assert b"PK\x03\x04" not in stored  # no ZIP in the clear
    text, _ = _contents(sar_services.sar_export_open(request=request, sealed=stored))
    assert SEEDED["facts"] in text


def test_a_release_file_does_not_open_as_another_request_s(world, alice):
    _release(world)
    sar_services.sar_export_build(request_id=world.request.pk)
    request = SubjectAccessRequest.objects.get(pk=world.request.pk)
    stored = sar_services.sar_export_path(request).read_bytes()
    other = sar_services.sar_open(
        client=world.client, received_on=timezone.localdate(), opened_by=world.dpo
    )

    with pytest.raises(crypto.DecryptionFailed):
        sar_services.sar_export_open(request=other, sealed=stored)


def test_the_file_is_deleted_once_its_download_time_is_over(world, settings):
    settings.CASELOAD_SAR_DOWNLOAD_DAYS = 7
    _release(world)
    sar_services.sar_export_build(request_id=world.request.pk)
    request = SubjectAccessRequest.objects.get(pk=world.request.pk)
    path = sar_services.sar_export_path(request)

    assert sar_services.sar_exports_expire(now=timezone.now() + timedelta(days=6)) == 0
    assert path.exists()
    assert sar_services.sar_exports_expire(now=timezone.now() + timedelta(days=8)) == 1
    assert not path.exists()
    request.refresh_from_db()
    assert request.export_deleted_at is not None
    assert not request.download_available(now=timezone.now() + timedelta(days=8))
    assert sar_services.sar_exports_expire(now=timezone.now() + timedelta(days=9)) == 0


def test_releasing_needs_the_review_finished(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sar_services.sar_release(
            request=world.request,
            released_to="The client",
            method=SubjectAccessRequest.Method.PORTAL,
            released_by=world.dpo,
        )


def test_a_build_whose_worker_died_is_taken_up_again_after_the_time_limit(world):
    _release(world)
    SubjectAccessRequest.objects.filter(pk=world.request.pk).update(
        build=SubjectAccessRequest.Build.BUILDING, build_started_at=timezone.now()
    )

    assert sar_services.sar_export_build(request_id=world.request.pk) is False
    later = timezone.now() + sar_services.BUILD_STALE_AFTER + timedelta(seconds=1)
    assert sar_services.sar_export_build(request_id=world.request.pk, now=later) is True
    assert SubjectAccessRequest.objects.get(pk=world.request.pk).status == "released"
