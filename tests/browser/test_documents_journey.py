"""An adviser attaches a PDF on her case page, sees it listed, and downloads it; a file
that is not what its name says is refused beside the field. Axe on every page."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import Document
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.documents.helpers import exe_bytes, pdf_bytes
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_adviser_attaches_a_pdf_on_a_case_page_sees_it_listed_and_downloads_it(
    page, alice, tmp_path
):
    case = CaseFactory(assigned_to=alice)
    letter = tmp_path / "landlord-letter.pdf"
    letter.write_bytes(pdf_bytes())
    disguised = tmp_path / "evidence.pdf"
    disguised.write_bytes(exe_bytes())

    sign_in(page, "alice")
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    documents = page.get_by_role("region", name="Documents")
    expect(documents).to_contain_text("No documents yet.")

    # A program named .pdf: refused beside the field on the upload page.
    page.get_by_label("File", exact=True).set_input_files(str(disguised))
    click_and_check(page, page.get_by_role("button", name="Add document"))
    expect(page.locator("#id_file_error")).to_contain_text("not one of the types Caseload accepts")
    assert not Document.objects.exists()

    # The real letter, from the upload page the refusal left us on.
    page.get_by_label("File", exact=True).set_input_files(str(letter))
    page.get_by_label("Description").fill("Notice from the landlord")
    click_and_check(page, page.get_by_role("button", name="Add document"))
    expect(page.get_by_text("Document added.")).to_be_visible()
    listed = page.get_by_role("region", name="Documents of this case")
    expect(listed).to_contain_text("landlord-letter.pdf")
    expect(listed).to_contain_text("Notice from the landlord")

    with page.expect_download() as download_info:
        listed.get_by_role("link", name="landlord-letter.pdf").click()
    download = download_info.value
    document = Document.objects.get()
    assert download.suggested_filename == f"document-{document.pk}.pdf"
    assert Path(download.path()).read_bytes() == pdf_bytes()
