"""The demo's documents: a letter on one of Alice's cases and the signed consent form of
its client, so that the case and client pages show attachments from the start."""

from __future__ import annotations

from datetime import datetime

from cases.models import Case, User
from documents.content import check_content
from documents.models import Document
from documents.services import document_add

LETTER = (
    "Housing Services\n\n"
    "Re: your tenancy\n\n"
    "We write about the arrears on your rent account. Please contact us within 14 days "
    "to agree a repayment plan. If you are getting advice, your adviser may call us on "
    "your behalf.\n"
)
CONSENT_FORM = (
    "Consent to share information\n\n"
    "I agree that my adviser may share information about my case with colleagues in the "
    "advice team, and with the agencies named on my record, to help me.\n\n"
    "Signed on paper; scanned copy held on file.\n"
)


def documents_load(*, now: datetime) -> None:
    """Attach the demo's documents, once however often the demo is loaded."""
    alice = User.objects.get(username="alice")
    case = Case.objects.filter(assigned_to=alice).open().order_by("pk").first()
    if case is None or Document.objects.filter(subject=case.client).exists():
        return
    document_add(
        checked=check_content(LETTER.encode(), original_name="council-letter.txt"),
        uploaded_by=alice,
        case=case,
        description="Letter from the council about rent arrears",
        now=now,
    )
    document_add(
        checked=check_content(CONSENT_FORM.encode(), original_name="consent-form.txt"),
        uploaded_by=alice,
        client=case.client,
        description="Signed consent form",
        now=now,
    )
