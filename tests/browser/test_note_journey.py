"""Journeys through case notes, in a real Chromium, with axe-core checking every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes import services
from notes.models import Action, CaseNote
from tests.browser.journeys import click_and_check, sign_in
from tests.conftest import assert_accessible
from tests.factories import CaseFactory

# Transactional, so that the live server thread sees the test's data. Every
# browser module must use plain `transaction=True`: mixing in serialised
# rollback makes restores collide with content types a plain flush recreated.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The en dash the templates put between an action and its owner.
DASH = "\N{EN DASH}"


def _open_case(page, case) -> str:
    """Go to the case page and check it; return its address."""
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(case.client.display_name)
    return page.url


def _note_form(page):
    return page.get_by_role("region", name="Add a note")


def _timeline(page):
    return page.get_by_role("region", name="Timeline")


def test_an_adviser_adds_a_note_with_a_follow_up_action_using_only_the_keyboard(page, alice):
    case = CaseFactory(assigned_to=alice)
    due = timezone.localdate() + timedelta(days=14)
    facts = "Client phoned: the landlord has served a section 21 notice."
    next_steps = "Check the notice is valid and write to the landlord."
    action = "Send the client a list of documents to bring"

    sign_in(page, "alice")
    case_url = _open_case(page, case)

    form = _note_form(page)
    contact_date = form.get_by_label("Date of contact")
    contact_time = form.get_by_label("Time of contact")
    channel = form.get_by_label("How", exact=True)
    facts_field = form.get_by_label("What happened (facts)")
    next_steps_field = form.get_by_label("Agreed next steps")
    no_further_action = form.get_by_label("No further action", exact=True)
    action_field = form.get_by_label("Action to follow up")
    owner = form.get_by_label("Action owner")
    due_field = form.get_by_label("Action due on")

    # The date and time of contact are prefilled with now; keep them.
    prefilled_date = contact_date.input_value()
    prefilled_time = contact_time.input_value()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", prefilled_date)
    assert re.fullmatch(r"\d{2}:\d{2}", prefilled_time)

    # From here on, only the keyboard: focus the first field, then Tab along.
    contact_date.focus()
    keyboard = page.keyboard
    keyboard.press("Tab")
    expect(contact_time).to_be_focused()
    keyboard.press("Tab")
    expect(channel).to_be_focused()
    keyboard.type("Phone")  # A closed select chooses by typing its option's name.
    expect(channel).to_have_value("phone")
    keyboard.press("Tab")  # Past "Who was present", which stays empty.
    keyboard.press("Tab")
    expect(facts_field).to_be_focused()
    keyboard.type(facts)
    keyboard.press("Tab")  # Past the professional opinion
    keyboard.press("Tab")  # and the actions taken.
    keyboard.press("Tab")
    expect(next_steps_field).to_be_focused()
    keyboard.type(next_steps)
    keyboard.press("Tab")
    expect(no_further_action).to_be_focused()
    # Space ticks and unticks the checkbox; there are next steps, so leave it unticked.
    keyboard.press("Space")
    expect(no_further_action).to_be_checked()
    keyboard.press("Space")
    expect(no_further_action).not_to_be_checked()
    keyboard.press("Tab")  # Past the reason for no further action
    keyboard.press("Tab")  # and the third-party information checkbox, left unticked,
    keyboard.press("Tab")  # and the files to attach, none.
    keyboard.press("Tab")
    expect(action_field).to_be_focused()
    keyboard.type(action)
    keyboard.press("Tab")
    expect(owner).to_be_focused()
    keyboard.type("Client")
    expect(owner).to_have_value("client")
    keyboard.press("Tab")  # Past the third party's name.
    keyboard.press("Tab")
    expect(due_field).to_be_focused()
    keyboard.type(f"{due:%d/%m/%Y}")

    expect(contact_date).to_have_value(prefilled_date)
    expect(contact_time).to_have_value(prefilled_time)

    # Ctrl+Enter saves from any field.
    with page.expect_navigation():
        keyboard.press("Control+Enter")
    assert_accessible(page)

    expect(page).to_have_url(f"{case_url}#timeline-heading")
    expect(page.get_by_role("status")).to_have_text("Note saved.")
    note = CaseNote.objects.get()
    contact = timezone.localtime(note.contact_at)
    assert f"{contact:%d/%m/%Y %H:%M}" == f"{prefilled_date} {prefilled_time}"

    entry = _timeline(page).get_by_role("article", name=re.compile(r"^Note 1: Phone, "))
    expect(entry.get_by_role("heading")).to_contain_text(f"{contact:%-d %b %Y, %H:%M}")
    expect(entry).to_contain_text("Written by Alice Adams")
    expect(entry.get_by_role("term")).to_have_text(["What happened", "Next steps", "Action"])
    expect(entry.get_by_role("definition")).to_have_text(
        [facts, next_steps, f"{action} (Client, due {due:%-d %b %Y}) {DASH} Open"]
    )

    actions = page.get_by_role("region", name="Open actions")
    expect(actions.get_by_role("listitem")).to_have_count(1)
    expect(actions.get_by_role("listitem")).to_contain_text(
        f"{action} {DASH} Client, due {due:%-d %b %Y}"
    )
    mark_done = re.compile(r"^Mark done\W+" + re.escape(action) + "$")
    expect(actions.get_by_role("button", name=mark_done)).to_be_visible()

    saved = Action.objects.get()
    assert (saved.note, saved.owner, saved.due_on) == (note, "client", due)


def test_a_note_without_facts_is_explained_and_keeps_what_was_typed(page, alice):
    case = CaseFactory(assigned_to=alice)
    next_steps = "Ask the client for the tenancy agreement."

    sign_in(page, "alice")
    _open_case(page, case)

    form = _note_form(page)
    form.get_by_label("Agreed next steps").fill(next_steps)
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Save note").click()
    assert_accessible(page)
    assert navigation.value.status == 400

    message = "Record what happened."
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading"))
    expect(summary.get_by_role("heading")).to_have_text("The note was not saved")
    expect(summary.get_by_role("link", name=f"What happened (facts): {message}")).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.get_by_role("alert")).to_have_count(1)

    facts = _note_form(page).get_by_label("What happened (facts)")
    expect(facts).to_have_attribute("aria-invalid", "true")
    expect(facts).to_have_value("")
    # The error sits beside the field and is read out with it, after the hint.
    error = page.locator("#id_facts_error")
    expect(error).to_have_text(f"Error: {message}")
    expect(error).to_be_visible()
    field_group = page.locator("div.mb-3").filter(has=page.get_by_label("What happened (facts)"))
    expect(field_group.locator("#id_facts_error")).to_have_count(1)
    expect(facts).to_have_accessible_description(
        f"What was said and done, as facts. Error: {message}"
    )
    expect(_note_form(page).get_by_label("Agreed next steps")).to_have_value(next_steps)

    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link").click()
    expect(facts).to_be_focused()

    assert CaseNote.objects.count() == 0
    assert Action.objects.count() == 0


def test_a_correction_is_linked_both_ways_with_the_original_note(page, alice):
    # Opened the day before: a contact three hours ago follows its opening at any hour.
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    original = services.note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=3),
        channel="phone",
        facts="Client said rent is £450",
        next_steps="Call the landlord",
    )

    sign_in(page, "alice")
    case_url = _open_case(page, case)
    original_entry = page.locator(f"#note-{original.pk}")
    expect(original_entry).to_contain_text("Client said rent is £450")

    click_and_check(page, original_entry.get_by_role("link", name="Correct this note (note 1)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Correct a note on {case.reference}")
    facts = page.get_by_label("What happened (facts)")
    expect(facts).to_have_value("Client said rent is £450")
    expect(page.get_by_label("Agreed next steps")).to_have_value("Call the landlord")
    facts.fill("Client said rent is £540")
    page.get_by_label("What was wrong with the original note").fill(
        "I transposed the digits of the rent."
    )
    click_and_check(page, page.get_by_role("button", name="Save correction"))

    expect(page).to_have_url(f"{case_url}#timeline-heading")
    expect(page.get_by_role("status")).to_have_text(
        "Correction saved. The original note stays on the record."
    )
    correction = CaseNote.objects.get(corrects=original)

    timeline = _timeline(page)
    expect(timeline.get_by_role("article")).to_have_count(2)

    original_entry = timeline.get_by_role("article", name=re.compile(r"^Note 1: Phone, "))
    expect(original_entry).to_have_attribute("id", f"note-{original.pk}")
    expect(original_entry).to_contain_text("Client said rent is £450")
    expect(original_entry).to_contain_text("Corrected by note 2")
    corrected_by = original_entry.get_by_role("link", name="note 2", exact=True)
    expect(corrected_by).to_have_attribute("href", f"#note-{correction.pk}")

    correction_entry = timeline.get_by_role("article", name=re.compile(r"^Correction 2: Phone, "))
    expect(correction_entry).to_have_attribute("id", f"note-{correction.pk}")
    expect(correction_entry).to_contain_text("Client said rent is £540")
    expect(correction_entry).to_contain_text(
        "Corrects note 1. Reason: I transposed the digits of the rent."
    )
    corrects = correction_entry.get_by_role("link", name="note 1", exact=True)
    expect(corrects).to_have_attribute("href", f"#note-{original.pk}")

    # The links lead to each other on the same page.
    corrects.click()
    expect(page).to_have_url(f"{case_url}#note-{original.pk}")
    expect(original_entry).to_be_in_viewport()
    corrected_by.click()
    expect(page).to_have_url(f"{case_url}#note-{correction.pk}")
    expect(correction_entry).to_be_in_viewport()

    original.refresh_from_db()
    assert original.facts == "Client said rent is £450"
    assert correction.facts == "Client said rent is £540"


def test_leaving_a_note_half_written_asks_first(page, alice):
    case = CaseFactory(assigned_to=alice)
    typed = "Client called about the rent arrears"

    sign_in(page, "alice")
    case_url = _open_case(page, case)

    facts = _note_form(page).get_by_label("What happened (facts)")
    facts.click()
    page.keyboard.type(typed)
    my_caseload = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My caseload"
    )

    # Stay: the browser asks, and the text is still there. The click returns
    # only once the dialog is answered, so the handler answers it.
    asked: list[str] = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    my_caseload.click()
    assert asked == ["beforeunload"]
    expect(page).to_have_url(case_url)
    expect(facts).to_have_value(typed)

    # Leave: the browser asks again, and goes once told to.
    def leave(dialog) -> None:
        asked.append(dialog.type)
        dialog.accept()

    page.once("dialog", leave)
    with page.expect_navigation():
        my_caseload.click()
    assert asked == ["beforeunload", "beforeunload"]
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert CaseNote.objects.count() == 0


def test_choosing_a_note_template_adds_its_headings_after_what_is_typed(page, alice):
    from notes.models import NoteTemplate

    case = CaseFactory(assigned_to=alice)
    NoteTemplate.objects.create(
        case_type=case.case_type,
        name="Home visit",
        facts="Situation:\nClient said:",
        next_steps="Adviser will:",
    )
    sign_in(page, "alice")
    _open_case(page, case)
    form = _note_form(page)
    facts_field = form.get_by_label("What happened (facts)")
    facts_field.fill("Landlord changed the locks on Monday.")

    form.get_by_role("link", name="Home visit").click()

    expect(facts_field).to_have_value(
        "Landlord changed the locks on Monday.\n\nSituation:\nClient said:"
    )
    expect(form.get_by_label("Agreed next steps")).to_have_value("Adviser will:")
    expect(facts_field).to_be_focused()


def test_the_n_key_and_the_add_a_note_link_go_to_the_note_form(page, alice):
    case = CaseFactory(assigned_to=alice)
    sign_in(page, "alice")
    _open_case(page, case)
    form = _note_form(page)

    page.keyboard.press("n")
    expect(form.get_by_label("Date of contact")).to_be_focused()

    page.get_by_role("heading", level=1).focus()
    page.get_by_role("link", name="Add a note").click()
    expect(form.get_by_label("Date of contact")).to_be_focused()
