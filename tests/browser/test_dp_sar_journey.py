"""The data protection officer answers a subject access request in Chromium, axe on every
page: opens it by the client's reference, withholds a note holding third-party
information, redacts another, releases the copy (built by the worker's service) and
downloads it."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from dataprotection.models import SubjectAccessRequest
from dataprotection.tasks import build_subject_access_export_task
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.dataprotection.sar_world import OTHER, SEEDED, sar_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(390, id="phone"), pytest.param(1366, id="laptop")]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dpo_opens_reviews_releases_and_downloads_a_subject_access_request(
    page, alice, settings, tmp_path, width
):
    settings.CASELOAD_SAR_EXPORT_DIR = tmp_path / "sar"
    world = sar_world(alice, open_request=False)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, "dina")
    page.goto("/data-protection/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Subject access requests").first)
    click_and_check(page, page.get_by_role("link", name="Open a request"))
    page.get_by_label("Client reference").fill(world.client.reference)
    click_and_check(page, page.get_by_role("button", name="Open the request"))
    request = SubjectAccessRequest.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Subject access request {request.reference}"
    )

    # The review: the note marked as holding third-party information is withheld...
    click_and_check(page, page.get_by_role("link", name="Review the items held about the client"))
    expect(page.get_by_text("Third-party information: review").first).to_be_visible()
    marked = f"Note {world.third_party_note.sequence} on {world.case.reference}"
    click_and_check(page, page.get_by_role("link", name=f"Withhold or redact {marked}"))
    page.get_by_label("Withhold", exact=True).check()
    page.get_by_label("Legal reason").select_option("third_party")
    click_and_check(page, page.get_by_role("button", name="Save the decision"))
    # ... and the note naming a neighbour is redacted.
    named = f"Note {world.note.sequence} on {world.case.reference}"
    click_and_check(page, page.get_by_role("link", name=f"Withhold or redact {named}"))
    page.get_by_label("Redact", exact=True).check()
    page.get_by_label("Legal reason").select_option("third_party")
    page.get_by_label("Text to release (when redacting)").fill(
        "What happened (facts): Ysolde rang about the bailiffs' letter; [redacted] was there"
    )
    click_and_check(page, page.get_by_role("button", name="Save the decision"))

    # Ready, then released: the worker builds the copy.
    click_and_check(
        page, page.get_by_role("link", name=f"Subject access request {request.reference}")
    )
    click_and_check(page, page.get_by_role("button", name="Review finished: ready to release"))
    click_and_check(page, page.get_by_role("link", name="Release the copy"))
    page.get_by_label("Released to").fill("The client, at her request")
    page.get_by_label("How the copy is given").select_option("secure_email")
    click_and_check(page, page.get_by_role("button", name="Release"))
    expect(page.get_by_text("Refresh to see its progress")).to_be_visible()
    assert build_subject_access_export_task.apply(args=[request.pk]).get() is True
    page.reload()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download the copy of {request.reference}").click()
    download = download_info.value
    assert download.suggested_filename == f"subject-access-{request.reference}.zip"
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        released = next(archive.read(n) for n in archive.namelist() if n.endswith(".json")).decode()
    assert "[redacted] was there" in released
    assert SEEDED["third_party"] not in released
    assert OTHER["given_name"] not in released
    assert SEEDED["rationale"] in released
