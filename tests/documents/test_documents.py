"""Documents: encrypted at rest, checked and scanned, attached to a client, a case or a
note, downloaded only by those who see what they are attached to, shredded with the key,
and included in subject access."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from caseload import crypto
from caseload.append_only import AppendOnlyError
from caseload.roles import Role
from dataprotection import sar_services
from dataprotection.sar_export import export_zip
from documents import services
from documents.content import check_content
from documents.models import Document
from documents.services import document_storage
from notes import services as note_services
from notes.models import CaseNote
from tests.conftest import client_for
from tests.documents.helpers import EICAR, MARKER, exe_bytes, pdf_bytes, upload
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice):
    return CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))


def _add(case, user, content=None, *, name="letter-to-Ms-Quiller.pdf", **where):
    checked = check_content(content or pdf_bytes(), original_name=name)
    if not where:
        where = {"case": case}
    return services.document_add(checked=checked, uploaded_by=user, **where)


def _stored(document: Document) -> bytes:
    with document_storage().open(document.stored_name, "rb") as stored:
        return stored.read()


def _note(case, author):
    return note_services.note_append(
        case=case,
        author=author,
        contact_at=timezone.now() - timedelta(days=1),
        channel=CaseNote.Channel.PHONE,
        facts="Client rang about the letter",
        next_steps="Reply by Friday",
    )


def _note_post(**extra):
    return {
        "contact_date": (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y"),
        "contact_time": "10:30",
        "channel": CaseNote.Channel.PHONE,
        "facts": "Client brought the landlord's letter",
        "next_steps": "Reply to the landlord",
        **extra,
    }


# --- storage and encryption ------------------------------------------------------------


def test_a_documents_bytes_and_name_are_not_in_plaintext_on_disk_or_in_the_database(case, alice):
    document = _add(case, alice)

    stored = _stored(document)
    assert MARKER.encode() not in stored
    assert b"%PDF" not in stored
    assert "Quiller" not in document.stored_name
    row = Document.objects.filter(pk=document.pk).values("original_name", "description").get()
    assert "Quiller" not in row["original_name"]


def test_stored_bytes_copied_to_another_document_do_not_decrypt(case, alice):
    from documents.selectors import document_content

    first, second = _add(case, alice), _add(case, alice, pdf_bytes("other"))
    with document_storage().open(second.stored_name, "wb") as target:
        target.write(_stored(first))

    with pytest.raises(crypto.DecryptionFailed):
        document_content(Document.objects.get(pk=second.pk))


def test_a_document_is_attached_to_exactly_one_thing(case, alice):
    both = Document(
        client=case.client,
        case=case,
        subject=case.client,
        kind="pdf",
        size=1,
        stored_name="both.bin",
        original_name="both.pdf",
        uploaded_by=alice,
        uploaded_at=timezone.now(),
    )

    with pytest.raises(ValueError, match="exactly one"):
        services.document_add(
            checked=check_content(pdf_bytes(), original_name="both.pdf"),
            uploaded_by=alice,
            client=case.client,
            case=case,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()


def test_a_document_cannot_be_changed_or_deleted_even_in_sql(case, alice):
    document = _add(case, alice)

    for statement in (
        "UPDATE documents_document SET size = 1 WHERE id = %s",
        "DELETE FROM documents_document WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [document.pk])
    with pytest.raises(AppendOnlyError):
        document.delete()


def test_the_change_log_never_holds_a_documents_name_or_description(case, alice):
    _add(case, alice)

    logged = " ".join(str(entry.changes) for entry in LogEntry.objects.all())
    assert "Quiller" not in logged


# --- checks and scanning ---------------------------------------------------------------


def test_an_executable_named_pdf_is_refused_beside_the_field_and_nothing_is_stored(case, alice):
    http = client_for(alice)

    response = http.post(
        reverse("documents:case_document_add", args=[case.pk]),
        {"file": upload(exe_bytes(), "evidence.pdf"), "description": "The tenancy agreement"},
    )

    assert response.status_code == 400
    assert "not one of the types Caseload accepts" in response.content.decode()
    assert "The tenancy agreement" in response.content.decode()
    assert not Document.objects.exists()


def test_a_file_over_the_size_limit_is_refused_on_the_upload_page(settings, case, alice):
    settings.CASELOAD_DOCUMENT_MAX_MB = 1
    http = client_for(alice)

    response = http.post(
        reverse("documents:case_document_add", args=[case.pk]),
        {"file": upload(b"a" * (1024 * 1024 + 10), "notes.txt")},
    )

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not Document.objects.exists()


def test_the_virus_scanner_hook_refuses_a_file_it_flags(settings, case, alice):
    settings.CASELOAD_VIRUS_SCANNER = "tests.documents.helpers.flag_eicar"

    with pytest.raises(ValidationError) as refused:
        _add(case, alice, EICAR, name="eicar.txt")

    assert "virus scanner found something" in " ".join(refused.value.messages)
    assert not Document.objects.exists()
    assert _add(case, alice).pk  # a clean file still goes in


def test_a_scanner_that_cannot_answer_refuses_the_file_rather_than_store_it_unscanned(
    settings, case, alice
):
    settings.CASELOAD_VIRUS_SCANNER = "tests.documents.helpers.scanner_down"

    with pytest.raises(ValidationError):
        _add(case, alice)

    assert not Document.objects.exists()


def test_the_clamd_scanner_reports_an_unreachable_daemon_as_unavailable(settings):
    from documents.scanning import ScannerUnavailable, clamd_scan

    settings.CASELOAD_CLAMD_ADDRESS = "127.0.0.1:1"
    settings.CASELOAD_CLAMD_TIMEOUT = 2

    with pytest.raises(ScannerUnavailable):
        clamd_scan(b"hello")


# --- pages -----------------------------------------------------------------------------


def test_an_adviser_adds_a_document_to_her_case_and_sees_it_listed(case, alice):
    http = client_for(alice)

    response = http.post(
        reverse("documents:case_document_add", args=[case.pk]),
        {
            "file": upload(pdf_bytes(), "letter-to-Ms-Quiller.pdf"),
            "description": "From the landlord",
        },
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.case_id, document.kind, document.uploaded_by) == (case.pk, "pdf", alice)
    page = http.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "letter-to-Ms-Quiller.pdf" in page
    assert reverse("documents:document_download", args=[document.pk]) in page


def test_a_client_document_is_added_by_whoever_may_change_the_client(case, alice):
    http = client_for(alice)

    response = http.post(
        reverse("documents:client_document_add", args=[case.client_id]),
        {"file": upload(b"Signed consent, 3 March", "consent.txt")},
    )

    assert response.status_code == 302
    assert Document.objects.get().client_id == case.client_id
    page = http.get(reverse("cases:client_detail", args=[case.client_id])).content.decode()
    assert "consent.txt" in page


def test_someone_who_only_views_a_shared_case_cannot_add_a_document(case, dave):
    from tests.personas import share

    share(case, dave, "view")

    response = client_for(dave).post(
        reverse("documents:case_document_add", args=[case.pk]), {"file": upload(pdf_bytes())}
    )

    assert response.status_code == 403
    assert not Document.objects.exists()


def test_another_teams_adviser_gets_404_on_upload_pages(case, dave):
    http = client_for(dave)

    assert http.get(reverse("documents:case_document_add", args=[case.pk])).status_code == 404
    assert (
        http.get(reverse("documents:client_document_add", args=[case.client_id])).status_code == 404
    )


def test_a_note_is_saved_with_its_attached_files(case, alice):
    http = client_for(alice)

    response = http.post(
        reverse("notes:note_add", args=[case.pk]),
        _note_post(attachments=[upload(pdf_bytes(), "a.pdf"), upload(b"plain words", "b.txt")]),
    )

    assert response.status_code == 302
    note = CaseNote.objects.get(case=case)
    assert sorted(d.kind for d in Document.objects.filter(note=note)) == ["pdf", "text"]
    page = http.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "b.txt" in page


def test_a_refused_attachment_leaves_the_note_unsaved_with_its_text_kept(case, alice):
    http = client_for(alice)

    response = http.post(
        reverse("notes:note_add", args=[case.pk]),
        _note_post(attachments=[upload(exe_bytes(), "evidence.pdf")]),
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Client brought the landlord&#x27;s letter" in body
    assert "not one of the types Caseload accepts" in body
    assert not CaseNote.objects.filter(case=case).exists()
    assert not Document.objects.exists()


def test_a_flagged_attachment_rolls_the_note_back_too(settings, case, alice):
    settings.CASELOAD_VIRUS_SCANNER = "tests.documents.helpers.flag_eicar"

    response = client_for(alice).post(
        reverse("notes:note_add", args=[case.pk]),
        _note_post(attachments=[upload(EICAR, "eicar.txt")]),
    )

    assert response.status_code == 400
    assert "virus scanner found something" in response.content.decode()
    assert not CaseNote.objects.filter(case=case).exists()
    assert not Document.objects.exists()


def test_note_attachments_cannot_be_deleted_while_the_note_stands(case, alice):
    note = _note(case, alice)
    document = _add(case, alice, note=note)

    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011 - PROTECT or trigger
        note.delete()
    assert Document.objects.filter(pk=document.pk).exists()


# --- downloads -------------------------------------------------------------------------


def test_a_download_is_an_attachment_with_a_safe_name_and_the_detected_type(case, alice):
    document = _add(case, alice)

    response = client_for(alice).get(reverse("documents:document_download", args=[document.pk]))

    assert response.status_code == 200
    assert response.content == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_download_is_recorded_in_the_audit_trail(case, alice):
    document = _add(case, alice)

    client_for(alice).get(reverse("documents:document_download", args=[document.pk]))

    entry = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(document.pk), actor=alice
    ).get(additional_data__via="document download")
    assert "Quiller" not in entry.object_repr


def test_someone_who_cannot_see_the_case_gets_404_for_its_documents(case, alice, dave, carol):
    case_doc = _add(case, alice)
    note_doc = _add(case, alice, note=_note(case, alice))
    client_doc = _add(case, alice, client=case.client)

    for document in (case_doc, note_doc, client_doc):
        url = reverse("documents:document_download", args=[document.pk])
        assert client_for(dave).get(url).status_code == 404
        assert client_for(carol).get(url).status_code == 200  # the team's supervisor
    assert not LogEntry.objects.filter(actor=dave, action=LogEntry.Action.ACCESS).exists()


def test_a_document_that_does_not_exist_is_404(alice):
    assert (
        client_for(alice).get(reverse("documents:document_download", args=[999999])).status_code
        == 404
    )


def test_after_the_clients_key_is_shredded_a_download_answers_erased(case, alice):
    document = _add(case, alice)
    stored_before = _stored(document)

    crypto.data_key_shred(data_key=case.client.data_key)
    response = client_for(alice).get(reverse("documents:document_download", args=[document.pk]))

    assert response.status_code == 410
    assert "erased" in response.content.decode()
    assert MARKER.encode() not in stored_before


def test_a_shredded_documents_bytes_cannot_be_decrypted_at_all(case, alice):
    from documents.selectors import document_content

    document = _add(case, alice)
    crypto.data_key_shred(data_key=case.client.data_key)

    with pytest.raises(crypto.DataKeyShredded):
        document_content(Document.objects.select_related("subject__data_key").get(pk=document.pk))


# --- subject access ------------------------------------------------------------------


def test_the_subject_access_release_holds_the_clients_documents_decrypted(
    settings, tmp_path, case, alice
):
    settings.CASELOAD_SAR_EXPORT_DIR = tmp_path / "sar"
    on_case = _add(case, alice, name="landlord-letter.pdf")
    on_client = _add(case, alice, b"Signed consent", name="consent.txt", client=case.client)
    other_case = CaseFactory(assigned_to=alice)
    _add(other_case, alice, pdf_bytes("someone else entirely"), name="other.pdf")
    dpo = UserFactory(username="dpo-docs", roles=[Role.DATA_PROTECTION])
    request = sar_services.sar_open(
        client=case.client, received_on=timezone.localdate(), opened_by=dpo
    )

    data = export_zip(request=request, now=timezone.now())

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert archive.read(f"documents/document-{on_case.pk}.pdf") == pdf_bytes()
        assert archive.read(f"documents/document-{on_client.pk}.txt") == b"Signed consent"
        release = json.loads(next(archive.read(n) for n in names if n.endswith(".json")))
    assert len([n for n in names if n.startswith("documents/")]) == 2
    documents = next(s for s in release["sections"] if s["kind"] == "document")["items"]
    assert {"label": "Original name", "value": "landlord-letter.pdf"} in [
        t for item in documents for t in item["text"]
    ]


def test_the_case_page_records_access_to_the_documents_it_lists(case, alice):
    document = _add(case, alice)
    on_note = _add(case, alice, note=_note(case, alice))

    client_for(alice).get(reverse("cases:case_detail", args=[case.pk]))

    seen = set(
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, actor=alice, additional_data__via="case page"
        ).values_list("object_pk", flat=True)
    )
    assert {str(document.pk), str(on_note.pk)} <= seen


def test_the_clients_audit_trail_shows_who_downloaded_a_document(case, alice):
    from dataprotection.trail import client_trail

    document = _add(case, alice, client=case.client)
    client_for(alice).get(reverse("documents:document_download", args=[document.pk]))

    events = client_trail(client=case.client)
    assert any(
        e.what.startswith("Document") and e.via == "document download" and e.actor_id == alice.pk
        for e in events
    )
