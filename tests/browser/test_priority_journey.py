"""Journeys through priorities, in a real Chromium, with axe-core checking every page.

An admin starts a draft of the criteria, changes a question while its preview follows,
and publishes it after the what-if and its workload, with a reason; an
adviser assesses a case and sees its level and next due date; a half-filled
assessment is explained and kept; an old assessment still shows the criteria
it was made under.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseType, User
from priorities import services
from priorities.models import Assessment, CriteriaVersion, Criterion, Level, Timescale
from tests.browser.journeys import click_and_check, day, nav, open_menu, sign_in
from tests.conftest import assert_accessible
from tests.factories import CaseFactory, CaseTypeFactory, published_criteria

# Transactional, so that the live server thread sees the test's data (see
# tests/browser/test_case_journey.py for why never serialised rollback).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAFEGUARDING = "Any safeguarding concern?"
COMPLEXITY = "How complex is the case?"
RATIONALE = "Two debts in arrears and a council tax summons; no risk of harm reported."


def _assess(case: Case, who: User, *, safeguarding: int = 0, complexity: int = 0) -> Assessment:
    return services.assessment_record(
        case=case,
        answers={"safeguarding": safeguarding, "complexity": complexity},
        rationale="Seen the letters",
        assessed_by=who,
    )


# First contact within 1, 3 or 10 working days: each level gives a different date.
FIRST_CONTACT_DAYS = {Level.RED: 1, Level.AMBER: 3, Level.GREEN: 10}


def _housing_with_timescales() -> CaseType:
    housing = CaseTypeFactory(name="Housing")
    for level, days in FIRST_CONTACT_DAYS.items():
        Timescale.objects.create(
            case_type=housing,
            level=level,
            first_contact_days=days,
            contact_interval_days=days * 5,
            review_days=days * 10,
            close_days=days * 30,
        )
    return housing


def _first_contact_due(case: Case, level: str) -> date:
    return services.organisation_calendar().add_working_days(
        case.opened_on, FIRST_CONTACT_DAYS[level]
    )


# --- an admin publishes a new criteria version after the what-if ---------------------------


@pytest.mark.parametrize("width", [390, 1366])
def test_an_admin_drafts_changes_a_question_with_its_preview_and_publishes_after_the_what_if(
    page, live_server, alice, carol, erin, width
):
    published = published_criteria()  # red at 6, amber at 3; complexity weighs 2
    # Open cases assessed under the published version, and how a complexity
    # weight of 3 (instead of 2) would score them again:
    _assess(CaseFactory(assigned_to=alice), alice, complexity=1)  # green 2 -> amber 3
    _assess(CaseFactory(assigned_to=alice), alice, complexity=2)  # amber 4 -> red 6
    _assess(CaseFactory(assigned_to=alice), alice, complexity=3)  # red 6 -> red 9
    _assess(CaseFactory(assigned_to=alice), alice, safeguarding=1)  # red by the rule, stays
    _assess(CaseFactory(assigned_to=alice), alice, complexity=0)  # green 0 -> green 0
    # A supervisor's override stands: assessed amber (4 -> 6), overridden to green.
    overridden = CaseFactory(assigned_to=alice)
    _assess(overridden, alice, complexity=2)
    services.assessment_override(
        case=overridden, level=Level.GREEN, rationale="Client has a solicitor", overridden_by=carol
    )
    CaseFactory(assigned_to=alice)  # never assessed: due already, and not in the what-if

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "erin")
    open_menu(page)  # on a phone, waits until it has opened
    click_and_check(page, nav(page).get_by_role("link", name="Configuration"))
    menu = page.get_by_role("navigation", name="Configuration")
    click_and_check(page, menu.get_by_role("link", name="Priority criteria"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Priority criteria")
    click_and_check(page, page.get_by_role("button", name="Start a new draft"))
    draft = CriteriaVersion.objects.get(status=CriteriaVersion.Status.DRAFT)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Draft version {draft.number}")
    expect(page.get_by_role("status")).to_contain_text("is ready to change")

    # The question on its own page, with the preview of the assessment form beside it.
    click_and_check(page, page.get_by_role("link", name=COMPLEXITY))
    preview = page.get_by_role("region", name="How advisers will see it")
    question = preview.get_by_role("group", name=COMPLEXITY)
    expect(question.get_by_label("Very complex", exact=True)).to_be_visible()
    page.get_by_label("Name of 3 on the scale").fill("Chaotic")
    # The preview follows the typing (the script asks the server for the same markup).
    expect(question.get_by_label("Chaotic", exact=True)).to_be_visible()
    expect(question.get_by_label("Very complex", exact=True)).to_have_count(0)
    assert_accessible(page)

    weight = page.get_by_label("Weight")
    expect(weight).to_have_value("2")
    weight.fill("0")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save the question").click()
    assert_accessible(page)
    assert refused.value.status == 400
    expect(page.locator("#id_weight_error")).to_have_text(
        "Error: The weight must be a whole number from 1 to 100."
    )
    expect(page.get_by_label("Name of 3 on the scale")).to_have_value("Chaotic")
    page.get_by_label("Weight").fill("3")
    click_and_check(page, page.get_by_role("button", name="Save the question"))
    expect(page.get_by_role("status")).to_contain_text(f"is saved in draft version {draft.number}")
    expect(
        preview.get_by_role("group", name=COMPLEXITY).get_by_label("Chaotic", exact=True)
    ).to_be_visible()
    assert Criterion.objects.get(version=draft, key="complexity").weight == 3
    assert Criterion.objects.get(version=published, key="complexity").weight == 2

    click_and_check(page, page.get_by_role("link", name=f"Draft version {draft.number}"))
    click_and_check(page, page.get_by_role("link", name="Review the what-if and publish"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Publish draft version {draft.number}"
    )
    expect(page.get_by_text("2 open cases would change level.")).to_be_visible()
    moves = page.get_by_role("region", name="Level moves")

    def now(level: str):
        return moves.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=level, exact=True)
        )

    # Rows: the level now; cells: how many go to red, amber, green under the draft.
    expect(now("Red").get_by_role("cell")).to_have_text(["2", "0", "0"])
    expect(now("Amber").get_by_role("cell")).to_have_text(["1", "0", "0"])
    expect(now("Green").get_by_role("cell")).to_have_text(["0", "1", "2"])

    # Her six assessed cases become due; the one never assessed is due already.
    expect(page.get_by_text("6 open cases would become due")).to_be_visible()
    workload = page.get_by_role("region", name="Reassessment per adviser")
    expect(workload.get_by_role("row", name="Alice Adams").get_by_role("cell")).to_have_text(
        ["6", "1", "7", "7"]
    )

    # Publishing asks why.
    with page.expect_navigation() as refused:
        page.get_by_role("button", name=f"Publish version {draft.number}").click()
    assert_accessible(page)
    assert refused.value.status == 400
    expect(page.locator("#id_change_reason_error")).to_contain_text("Say why this version")
    page.get_by_label("Why this version").fill("Complex cases were coming out green.")
    click_and_check(page, page.get_by_role("button", name=f"Publish version {draft.number}"))

    # The published version, read-only, with what it changed.
    expect(page).to_have_url(f"{live_server.url}/configuration/criteria/{draft.pk}/")
    expect(page.get_by_role("status")).to_contain_text(
        f"Criteria version {draft.number} is published."
    )
    expect(page.get_by_text("Complex cases were coming out green.")).to_be_visible()
    expect(page.get_by_role("button", name="Save the thresholds")).to_have_count(0)
    expect(page.get_by_role("link", name="Add a question")).to_have_count(0)
    changes = page.get_by_role("region", name=f"Changes from version {published.number}")
    expect(changes.get_by_text("Weight: 2 → 3", exact=True)).to_be_visible()
    expect(changes).to_contain_text("Name of 3 on the scale: Very complex → Chaotic")

    click_and_check(page, page.get_by_role("link", name="Priority criteria").first)
    rows = page.get_by_role("row")
    new = rows.filter(has=page.get_by_role("link", name=f"Version {draft.number}", exact=True))
    old = rows.filter(has=page.get_by_role("link", name=f"Version {published.number}", exact=True))
    expect(new).to_contain_text("Published")
    expect(new).to_contain_text("Complex cases were coming out green.")
    expect(old).to_contain_text("Retired")

    draft.refresh_from_db()
    assert draft.status == CriteriaVersion.Status.PUBLISHED
    assert draft.published_by == erin
    assert draft.change_reason == "Complex cases were coming out green."
    assert CriteriaVersion.published() == draft


def test_an_admin_adds_a_question_refuses_red_below_amber_and_discards_the_draft(page, erin):
    published_criteria()

    sign_in(page, "erin")
    page.goto("/configuration/criteria/")
    assert_accessible(page)
    click_and_check(page, page.get_by_role("button", name="Start a new draft"))
    draft = CriteriaVersion.objects.get(status=CriteriaVersion.Status.DRAFT)

    # Red below amber is refused beside the field, with what was typed kept.
    page.get_by_label("Red at a score of").fill("2")
    page.get_by_label("Name of the red level").fill("Urgent")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save the thresholds").click()
    assert_accessible(page)
    assert refused.value.status == 400
    expect(page.locator("#id_red_threshold_error")).to_contain_text(
        "The red threshold must be above the amber threshold (3)"
    )
    expect(page.get_by_label("Name of the red level")).to_have_value("Urgent")
    page.get_by_label("Red at a score of").fill("7")
    click_and_check(page, page.get_by_role("button", name="Save the thresholds"))
    expect(page.get_by_role("status")).to_have_text("The thresholds and levels are saved.")

    # A new question: the preview turns from a scale into yes or no as it is chosen.
    click_and_check(page, page.get_by_role("link", name="Add a question"))
    preview = page.get_by_role("region", name="How advisers will see it")
    page.get_by_label("Question", exact=True).fill("Is the client homeless tonight?")
    question = preview.get_by_role("group", name="Is the client homeless tonight?")
    expect(question.get_by_role("radio")).to_have_count(4)
    page.get_by_label("Yes or no").check()
    expect(question.get_by_label("Yes", exact=True)).to_be_visible()
    expect(question.get_by_role("radio")).to_have_count(2)
    page.get_by_label("Guidance for the adviser").fill("Where they will sleep tonight.")
    expect(question).to_contain_text("Where they will sleep tonight.")
    assert_accessible(page)
    page.get_by_label("Weight").fill("6")
    page.get_by_label("Makes the case red at an answer of").fill("1")
    page.get_by_label("Key").fill("homeless")
    click_and_check(page, page.get_by_role("button", name="Save the question"))
    assert Criterion.objects.get(version=draft, key="homeless").forces_red_at == 1

    click_and_check(page, page.get_by_role("link", name=f"Draft version {draft.number}"))
    changes = page.get_by_role("region", name="What this draft changes from version 1")
    expect(changes).to_contain_text("Is the client homeless tonight? (weight 6)")
    expect(changes).to_contain_text("Red at a score of: 6 → 7")
    click_and_check(page, page.get_by_role("button", name="Remove Is the client homeless tonight?"))
    expect(page.get_by_role("status")).to_contain_text("is removed from draft version")
    click_and_check(page, page.get_by_role("button", name=f"Discard draft version {draft.number}"))
    expect(page.get_by_role("button", name="Start a new draft")).to_be_visible()
    assert not CriteriaVersion.objects.filter(status=CriteriaVersion.Status.DRAFT).exists()


# --- an adviser assesses her case -----------------------------------------------------------


def test_an_adviser_assesses_her_case_and_sees_its_level_and_next_due_date(page, alice):
    published_criteria()
    case = CaseFactory(assigned_to=alice, case_type=_housing_with_timescales())
    # Never assessed: the green timescale applies until it is.
    green_due = _first_contact_due(case, Level.GREEN)
    amber_due = _first_contact_due(case, Level.AMBER)
    assert green_due != amber_due

    sign_in(page, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    click_and_check(page, page.get_by_role("link", name=case.reference))
    priority = page.get_by_role("region", name="Priority")
    expect(priority).to_contain_text("Not assessed yet.")
    expect(page.get_by_text("Assessment due")).to_be_visible()
    next_due = page.locator("dt:text-is('Next due') + dd")
    expect(next_due).to_have_text(day(green_due))

    click_and_check(page, priority.get_by_role("link", name="Assess priority"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Assess the priority of {case.reference}"
    )
    expect(page.get_by_text("Criteria version 1.")).to_be_visible()
    page.get_by_role("group", name=SAFEGUARDING).get_by_label("No", exact=True).check()
    page.get_by_role("group", name=COMPLEXITY).get_by_label("Complex", exact=True).check()
    page.get_by_label("Rationale").fill(RATIONALE)
    click_and_check(page, page.get_by_role("button", name="Save assessment"))

    # Back on the case: safeguarding no (0 x 5) and complex (2 x 2) score 4, amber.
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.get_by_role("status")).to_have_text("Priority assessed: Amber.")
    priority = page.get_by_role("region", name="Priority")
    expect(priority.locator(".level-badge")).to_have_text("Amber")
    expect(priority).to_contain_text("Assessment by Alice Adams")
    expect(priority).to_contain_text("(criteria version 1)")
    expect(priority).to_contain_text(f"Rationale: {RATIONALE}")
    expect(page.locator("h1 ~ p .level-badge")).to_have_text("Amber")
    expect(page.get_by_text("Assessment due")).to_have_count(0)
    expect(next_due).to_have_text(day(amber_due))
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Priority assessed: Amber")

    click_and_check(page, nav(page).get_by_role("link", name="My caseload"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.reference))
    expect(row.locator(".level-badge")).to_have_text("Amber")
    expect(row.locator("time")).to_have_text(day(amber_due))
    expect(row.locator("time")).to_have_attribute("datetime", amber_due.isoformat())

    assessment = Assessment.objects.get(case=case)
    assert assessment.answers == {"safeguarding": 0, "complexity": 2}
    assert (assessment.score, assessment.level) == (4, Level.AMBER)
    assert assessment.rationale == RATIONALE
    assert assessment.assessed_by == alice


def test_an_assessment_missing_an_answer_and_the_rationale_is_explained_and_kept(page, alice):
    published_criteria()
    case = CaseFactory(assigned_to=alice)

    sign_in(page, "alice")
    click_and_check(page, page.get_by_role("link", name=case.reference))
    click_and_check(page, page.get_by_role("link", name="Assess priority"))
    safeguarding = page.get_by_role("group", name=SAFEGUARDING)
    safeguarding.get_by_label("Yes", exact=True).check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save assessment").click()
    assert_accessible(page)
    assert navigation.value.status == 400

    answer_it = "Answer this question."
    why = "Explain why this is the right priority (the rationale is required)."
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        [f"{COMPLEXITY}: {answer_it}", f"Rationale: {why}"]
    )
    expect(summary).to_be_focused()

    # Each error is beside its field, and read out with it.
    complexity = page.get_by_role("group", name=COMPLEXITY)
    expect(complexity.locator("#id_answer_complexity_error")).to_have_text(f"Error: {answer_it}")
    expect(complexity).to_have_accessible_description(
        f"Number of issues and agencies involved. Error: {answer_it}"
    )
    for label in ("Simple", "Some", "Complex", "Very complex"):
        expect(complexity.get_by_label(label, exact=True)).not_to_be_checked()
    rationale = page.get_by_label("Rationale")
    expect(rationale).to_have_attribute("aria-invalid", "true")
    expect(rationale).to_have_accessible_description(
        f"Why this is the right priority for this case. Required. Error: {why}"
    )
    expect(page.locator("#id_rationale_error")).to_have_text(f"Error: {why}")
    expect(rationale).to_have_value("")

    # The answer given is kept, and nothing else is.
    expect(safeguarding.get_by_label("Yes", exact=True)).to_be_checked()
    expect(safeguarding.get_by_label("No", exact=True)).not_to_be_checked()
    expect(safeguarding.locator(".invalid-feedback")).to_have_count(0)

    # The summary's links take the keyboard to the question and to the rationale.
    summary.get_by_role("link", name=f"{COMPLEXITY}: {answer_it}").click()
    expect(complexity.get_by_label("Simple", exact=True)).to_be_focused()
    summary.get_by_role("link", name=f"Rationale: {why}").click()
    expect(rationale).to_be_focused()

    assert not Assessment.objects.exists()
    case.refresh_from_db()
    assert case.level == ""


def test_an_old_assessment_still_shows_the_criteria_version_it_was_made_under(page, alice, erin):
    first = published_criteria()
    case = CaseFactory(assigned_to=alice)
    old = _assess(case, alice, complexity=2)  # 2 x 2: amber under version 1
    second = services.version_draft_from(source=first)
    Criterion.objects.filter(version=second, key="complexity").update(weight=3)
    services.version_publish(draft=second, published_by=erin, reason="Complexity weighs more")
    assert second.number == 2

    sign_in(page, "alice")
    click_and_check(page, page.get_by_role("link", name=case.reference))
    priority = page.get_by_role("region", name="Priority")
    expect(priority).to_contain_text("(criteria version 1)")
    expect(page.get_by_text("Assessment due")).to_be_visible()

    priority.get_by_text("Assessment history (1)").click()
    history = priority.get_by_role("listitem")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("(version 1)")
    click_and_check(page, history.get_by_role("link", name=re.compile(r"Assessment, Amber$")))

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/assessments/{old.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment: Amber")
    expect(
        page.get_by_text(re.compile(r"under criteria version 1; weighted score 4"))
    ).to_contain_text("(red at 6, amber at 3)")
    answers = page.get_by_role("table", name="Answers under criteria version 1")
    expect(answers.get_by_role("row", name=SAFEGUARDING)).to_have_text(
        re.compile(rf"{re.escape(SAFEGUARDING)}\s*No\s*5")
    )
    expect(answers.get_by_role("row", name=COMPLEXITY)).to_have_text(
        re.compile(rf"{re.escape(COMPLEXITY)}\s*Complex\s*2")
    )
    expect(page.get_by_text("criteria version 2")).to_have_count(0)
