"""A long note survives a session that times out while it is typed: in a real Chromium,
with axe-core checking every page."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from cases.models import User
from notes.models import CaseNote, NoteDraft
from tests.browser.journeys import click_and_check, open_account_menu, sign_in
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, CaseFactory, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FACTS = (
    "Client came in with her two children after the landlord changed the locks on Tuesday "
    "while she was at work. She has the tenancy agreement and rent receipts up to October. "
    "The landlord gave no notice and has not answered her calls since. She is staying with "
    "her sister for now, who can keep them for a week at most."
)
NEXT_STEPS = "Ring the council's tenancy relations officer about the illegal eviction"


def _time_out(page) -> None:
    """End the browser's session the way the idle timeout does: its last request was
    longer ago than the limit."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    idle = settings.CASELOAD_SESSION_IDLE_MINUTES * 60
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - idle - 60
    session.save()


def _stored(page) -> str:
    """Everything this tab's browser storage holds for the site."""
    return page.evaluate("() => JSON.stringify([{...sessionStorage}, {...localStorage}])")


def test_a_note_typed_as_the_session_times_out_is_back_after_signing_in_and_saves_once(page, alice):
    case = CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))
    sign_in(page, "alice")
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    form = page.get_by_role("region", name="Add a note")

    # A long note: the autosave keeps it on the server once typing pauses.
    form.get_by_label("What happened (facts)").fill(FACTS)
    expect(form.get_by_text(re.compile(r"Draft kept at \d\d:\d\d\."))).to_be_visible()
    assert "landlord" not in _stored(page)

    # The session times out; what is typed next the server refuses to keep.
    _time_out(page)
    form.get_by_label("Agreed next steps").type(NEXT_STEPS)
    expect(page.get_by_role("alert")).to_contain_text("Your session has ended")
    assert_accessible(page)
    assert NEXT_STEPS in _stored(page)

    # Saving sends the person to sign in again, and then back to the form.
    click_and_check(page, form.get_by_role("button", name="Save note"))
    expect(page.get_by_text("signed out because your session was idle")).to_be_visible()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    click_and_check(page, page.get_by_role("button", name="Sign in"))
    page.get_by_label("Code").fill(totp_code(User.objects.get(username="alice")))
    click_and_check(page, page.get_by_role("button", name="Continue"))

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/#note-form-heading$"))
    form = page.get_by_role("region", name="Add a note")
    expect(
        form.get_by_text(re.compile(r"Restored your unsaved draft from \d\d:\d\d"))
    ).to_be_visible()
    expect(form.get_by_role("button", name="Discard the draft")).to_be_visible()
    expect(form.get_by_label("What happened (facts)")).to_have_value(FACTS)
    expect(form.get_by_label("Agreed next steps")).to_have_value(NEXT_STEPS)
    # The restored text goes to the server, and leaves the tab's storage.
    expect(form.get_by_text(re.compile(r"Draft kept at"))).to_be_visible()
    assert "tenancy relations" not in _stored(page)

    click_and_check(page, form.get_by_role("button", name="Save note"))
    expect(page.get_by_role("status")).to_have_text("Note saved.")
    note = CaseNote.objects.get()
    assert (note.facts, note.next_steps) == (FACTS, NEXT_STEPS)
    assert not NoteDraft.objects.exists()
    stored = _stored(page)
    assert "landlord" not in stored
    assert "tenancy relations" not in stored


def test_signing_out_leaves_no_typed_text_in_the_browser(page, alice):
    case = CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))
    sign_in(page, "alice")
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    form = page.get_by_role("region", name="Add a note")
    _time_out(page)
    form.get_by_label("What happened (facts)").type("Client rang about the locks")
    expect(page.get_by_role("alert")).to_contain_text("Your session has ended")
    assert "locks" in _stored(page)

    # The page warns of unsaved text; the person leaves anyway.
    page.once("dialog", lambda dialog: dialog.accept())
    open_account_menu(page)
    click_and_check(page, page.get_by_role("button", name="Sign out"))

    assert "locks" not in _stored(page)
    assert not NoteDraft.objects.exists()


def test_a_restored_draft_can_be_discarded(page, alice):
    case = CaseFactory(assigned_to=alice, now=timezone.now() - timedelta(days=7))
    sign_in(page, "alice")
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    form = page.get_by_role("region", name="Add a note")
    form.get_by_label("What happened (facts)").fill(FACTS)
    expect(form.get_by_text(re.compile(r"Draft kept at"))).to_be_visible()

    page.reload()
    assert_accessible(page)
    form = page.get_by_role("region", name="Add a note")
    expect(form.get_by_label("What happened (facts)")).to_have_value(FACTS)
    click_and_check(page, form.get_by_role("button", name="Discard the draft"))

    expect(page.get_by_role("status")).to_have_text("Draft discarded.")
    expect(form.get_by_label("What happened (facts)")).to_have_value("")
    assert not NoteDraft.objects.exists()
    assert "landlord" not in _stored(page)
