"""The priority criteria pages: admins only, errors in plain English beside the field with
what was typed kept, another admin's change never overwritten, published versions
read-only, and the preview drawn with the assessment form's own markup."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from caseload.roles import Role
from configuration.concurrency import STALE_MESSAGE, edit_token
from priorities import services
from priorities.models import CriteriaVersion, Criterion
from priorities.services import CRITERION_FIELDS, THRESHOLD_FIELDS
from tests.conftest import client_for
from tests.factories import UserFactory, published_criteria

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin):
    published_criteria()
    return services.version_draft_start(started_by=erin)


@pytest.fixture
def ezra(roles):
    other = UserFactory(username="ezra")
    other.groups.add(Group.objects.get(name=Role.ADMIN))
    return other


def _thresholds(draft, **changes):
    return {
        "red_threshold": "6",
        "amber_threshold": "3",
        "red_if_deadline_within": "",
        "red_label": "Red",
        "amber_label": "Amber",
        "green_label": "Green",
        "red_colour": "red",
        "amber_colour": "amber",
        "green_colour": "green",
        "edit_token": edit_token([draft], THRESHOLD_FIELDS),
        **changes,
    }


def _question_post(criterion, **changes):
    data = {
        name: "" if getattr(criterion, name) is None else getattr(criterion, name)
        for name in CRITERION_FIELDS
    }
    return {**data, "edit_token": edit_token([criterion], CRITERION_FIELDS), **changes}


def _version_url(version):
    return reverse("configuration:criteria_version", args=[version.pk])


def _question_url(criterion):
    return reverse("configuration:criterion", args=[criterion.version_id, criterion.pk])


def test_the_section_points_at_its_own_page(erin):
    response = client_for(erin).get(reverse("configuration:home"))

    assert reverse("configuration:criteria") in response.content.decode()


def test_an_adviser_is_refused_every_criteria_page(draft, alice):
    criterion = draft.criteria.first()
    for url in (
        reverse("configuration:criteria"),
        _version_url(draft),
        _question_url(criterion),
        reverse("configuration:criteria_publish", args=[draft.pk]),
    ):
        assert client_for(alice).get(url).status_code == 403


def test_the_start_button_refuses_a_second_draft_and_says_where_the_first_is(draft, erin):
    response = client_for(erin).post(reverse("configuration:criteria_start"), follow=True)

    assert f"Draft version {draft.number} is already being prepared" in response.content.decode()
    assert CriteriaVersion.objects.filter(status="draft").count() == 1


def test_a_red_threshold_below_amber_is_explained_beside_the_field_and_kept(draft, erin):
    response = client_for(erin).post(
        _version_url(draft), _thresholds(draft, red_threshold="2", amber_label="Medium")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["red_threshold"] == [
        "The red threshold must be above the amber threshold (3), or no case could ever be amber."
    ]
    assert 'value="Medium"' in response.content.decode()
    draft.refresh_from_db()
    assert (draft.red_threshold, draft.amber_label) == (6, "Amber")


def test_thresholds_are_saved_on_a_draft(draft, erin):
    response = client_for(erin).post(
        _version_url(draft), _thresholds(draft, red_threshold="9", red_if_deadline_within="2")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.red_threshold, draft.red_if_deadline_within) == (9, 2)


def test_a_second_admin_saving_thresholds_over_a_change_is_told_and_keeps_what_she_typed(
    draft, erin, ezra
):
    posted = _thresholds(draft)
    assert (
        client_for(erin).post(_version_url(draft), {**posted, "red_threshold": "8"}).status_code
        == 302
    )

    second = client_for(ezra).post(
        _version_url(draft), {**posted, "red_threshold": "12", "red_label": "Urgent"}
    )

    assert second.status_code == 409
    html = second.content.decode()
    assert STALE_MESSAGE in html
    assert 'name="red_threshold" value="8"' in html  # the first admin's change, shown
    assert "Urgent" in html  # what the second typed, kept on the page
    draft.refresh_from_db()
    assert (draft.red_threshold, draft.red_label) == (8, "Red")


def test_a_question_with_half_its_scale_named_is_refused_beside_the_labels(draft, erin):
    complexity = draft.criteria.get(key="complexity")

    response = client_for(erin).post(
        _question_url(complexity), _question_post(complexity, label_2="", label_3="")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"label_2", "label_3"}
    assert errors["label_2"][0].startswith("Name every point of the scale")
    complexity.refresh_from_db()
    assert complexity.label_3 == "Very complex"


def test_a_key_taken_in_the_draft_is_refused_when_adding_a_question(draft, erin):
    response = client_for(erin).post(
        reverse("configuration:criterion_add", args=[draft.pk]),
        {
            "name": "Second safeguarding question",
            "guidance": "Kept",
            "answer_type": "yes_no",
            "weight": "3",
            "key": "safeguarding",
            "position": "3",
        },
    )

    assert response.status_code == 400
    assert "already has the key 'safeguarding'" in response.context["form"].errors["key"][0]
    assert "Second safeguarding question" in response.content.decode()
    assert draft.criteria.count() == 2


def test_a_second_admin_saving_a_question_over_a_change_is_told_and_nothing_is_half_saved(
    draft, erin, ezra
):
    complexity = draft.criteria.get(key="complexity")
    posted = _question_post(complexity)
    assert (
        client_for(erin).post(_question_url(complexity), {**posted, "weight": "4"}).status_code
        == 302
    )

    second = client_for(ezra).post(
        _question_url(complexity), {**posted, "weight": "9", "name": "How tangled is it?"}
    )

    assert second.status_code == 409
    html = second.content.decode()
    assert STALE_MESSAGE in html
    assert "How tangled is it?" in html
    complexity.refresh_from_db()
    assert (complexity.weight, complexity.name) == (4, "How complex is the case?")


def test_a_published_version_is_read_only_with_its_diff(erin):
    first = published_criteria()
    second = services.version_draft_start(started_by=erin)
    second.criteria.filter(key="complexity").update(weight=3)
    services.version_publish(draft=second, published_by=erin, reason="Complexity matters more")
    token = edit_token([second], THRESHOLD_FIELDS)

    page = client_for(erin).get(_version_url(second))
    refused = client_for(erin).post(_version_url(second), _thresholds(second, red_threshold="20"))
    question = client_for(erin).get(_question_url(second.criteria.first()))

    html = page.content.decode()
    assert "Complexity matters more" in html
    assert f"Changes from version {first.number}" in html
    assert "Weight: 2 → 3" in html
    assert "Save the thresholds" not in html
    assert refused.status_code == 302
    assert question.status_code == 404
    second.refresh_from_db()
    assert second.red_threshold == 6
    assert edit_token([second], THRESHOLD_FIELDS) == token


def test_the_versions_list_shows_why_each_version_was_published(erin):
    first = published_criteria()
    second = services.version_draft_start(started_by=erin)
    services.version_publish(draft=second, published_by=erin, reason="Winter pressures")

    html = client_for(erin).get(reverse("configuration:criteria")).content.decode()

    assert "Winter pressures" in html
    assert f"Version {first.number}" in html
    assert "Start a new draft" in html


def test_the_preview_is_the_question_as_the_assessment_form_draws_it(draft, erin):
    response = client_for(erin).post(
        reverse("configuration:criterion_preview", args=[draft.pk]),
        {
            "name": "Rent arrears?",
            "guidance": "Months behind",
            "answer_type": "scale",
            "label_0": "None",
            "label_1": "One",
            "label_2": "Two",
            "label_3": "Three or more",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<legend class="form-label fs-6">Rent arrears?</legend>' in html
    assert "Months behind" in html
    assert html.count('type="radio"') == 4
    assert "Three or more" in html
    assert not Criterion.objects.filter(name="Rent arrears?").exists()


def test_publishing_a_draft_changed_since_its_what_if_is_refused(draft, erin, ezra):
    url = reverse("configuration:criteria_publish", args=[draft.pk])
    token = client_for(erin).get(url).context["form"]["edit_token"].value()
    services.criterion_remove(criterion=draft.criteria.get(key="complexity"), removed_by=ezra)

    response = client_for(erin).post(url, {"change_reason": "Simpler", "edit_token": token})

    assert response.status_code == 409
    assert STALE_MESSAGE in response.content.decode()
    assert "Simpler" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CriteriaVersion.Status.DRAFT


def test_after_a_refused_publish_the_page_offers_the_draft_as_it_now_is(draft, erin, ezra):
    url = reverse("configuration:criteria_publish", args=[draft.pk])
    token = client_for(erin).get(url).context["form"]["edit_token"].value()
    services.version_thresholds_save(
        draft=CriteriaVersion.objects.get(pk=draft.pk),
        changed_by=ezra,
        red_threshold=9,
        amber_threshold=3,
        red_if_deadline_within=None,
        red_label="Red",
        amber_label="Amber",
        green_label="Green",
        red_colour="red",
        amber_colour="amber",
        green_colour="green",
    )
    refused = client_for(erin).post(url, {"change_reason": "Simpler", "edit_token": token})
    fresh = refused.context["form"]["edit_token"].value()

    response = client_for(erin).post(url, {"change_reason": "Simpler", "edit_token": fresh})

    assert refused.status_code == 409
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.red_threshold) == (CriteriaVersion.Status.PUBLISHED, 9)


def test_publishing_without_a_reason_is_explained_beside_the_field(draft, erin):
    url = reverse("configuration:criteria_publish", args=[draft.pk])
    token = client_for(erin).get(url).context["form"]["edit_token"].value()

    response = client_for(erin).post(url, {"change_reason": " ", "edit_token": token})

    assert response.status_code == 400
    assert (
        response.context["form"]
        .errors["change_reason"][0]
        .startswith("Say why this version is needed")
    )
    draft.refresh_from_db()
    assert draft.status == CriteriaVersion.Status.DRAFT


def test_the_emergency_admin_site_applies_the_same_rules_to_a_question(draft, root):
    safeguarding, complexity = draft.criteria.order_by("position")
    posted = {
        "red_threshold": "6",
        "amber_threshold": "3",
        "red_if_deadline_within": "",
        "red_label": "Red",
        "amber_label": "Amber",
        "green_label": "Green",
        "red_colour": "red",
        "amber_colour": "amber",
        "green_colour": "green",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "2",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for n, criterion in enumerate((safeguarding, complexity)):
        for name in CRITERION_FIELDS:
            value = getattr(criterion, name)
            posted[f"criteria-{n}-{name}"] = "" if value is None else value
        posted[f"criteria-{n}-id"] = criterion.pk
        posted[f"criteria-{n}-version"] = draft.pk
    posted["criteria-0-forces_red_at"] = "2"  # yes or no: only 'yes' (1) can force red

    response = client_for(root).post(
        reverse("admin:priorities_criteriaversion_change", args=[draft.pk]), posted
    )

    assert response.status_code == 200
    assert "can only make a case red on &#x27;yes&#x27; (1)" in response.content.decode()
    safeguarding.refresh_from_db()
    assert safeguarding.forces_red_at == 1


def test_without_javascript_the_preview_shows_the_question_as_saved(draft, erin):
    complexity = draft.criteria.get(key="complexity")
    http = client_for(erin)

    http.post(_question_url(complexity), _question_post(complexity, label_3="Chaotic"))
    html = http.get(_question_url(complexity)).content.decode()

    preview = html[html.index('id="criterion-preview"') :]
    assert 'for="id_preview-answer_3">Chaotic</label>' in preview


def test_a_refused_question_shows_the_preview_of_what_was_typed(draft, erin):
    complexity = draft.criteria.get(key="complexity")

    response = client_for(erin).post(
        _question_url(complexity), _question_post(complexity, name="Tangled?", weight="0")
    )

    assert response.status_code == 400
    preview = response.content.decode().split('id="criterion-preview"')[1]
    assert "Tangled?" in preview
