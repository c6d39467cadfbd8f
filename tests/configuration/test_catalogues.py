"""Case types, note templates, case weights, review factors and the review timescale in
the configuration area: listed, added and changed through the owning apps' services,
with errors in plain English beside the field, and another admin's change never
overwritten."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from caseload.roles import Role
from cases.models import CaseType
from configuration.catalogue import CATALOGUES
from configuration.concurrency import STALE_MESSAGE, edit_token
from notes.models import NoteTemplate
from reviews.models import CaseWeight, ReviewFactor, ReviewPolicy
from tests.conftest import client_for
from tests.factories import CaseTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _add(http, kind, data):
    return http.post(reverse("configuration:catalogue_add", kwargs={"kind": kind}), data)


def _edit_url(kind, pk):
    return reverse("configuration:catalogue_edit", kwargs={"kind": kind, "pk": pk})


@pytest.mark.parametrize("kind", list(CATALOGUES))
def test_every_list_and_its_add_page_open_for_an_admin_only(kind, erin, alice):
    for name in ("configuration:catalogue", "configuration:catalogue_add"):
        url = reverse(name, kwargs={"kind": kind})
        assert client_for(erin).get(url).status_code == 200
        assert client_for(alice).get(url).status_code == 403


def test_an_unknown_list_is_not_found(erin):
    assert client_for(erin).get("/configuration/nonsense/").status_code == 404


def test_a_case_type_is_added_and_its_change_recorded_with_the_admin(erin):
    response = _add(
        client_for(erin),
        "case-types",
        {
            "name": "Welfare  benefits",
            "description": "Claims and appeals",
            "is_active": "on",
            "retention_months": "84",
        },
    )

    assert response.status_code == 302
    added = CaseType.objects.get(name="Welfare benefits")
    assert added.retention_months == 84
    assert LogEntry.objects.get_for_object(added).filter(actor=erin).exists()


def test_a_case_type_name_already_taken_is_explained_beside_the_field(erin):
    CaseTypeFactory(name="Debt")

    response = _add(
        client_for(erin),
        "case-types",
        {"name": "debt", "description": "Kept", "retention_months": "72"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "There is already a case type called Debt: edit that one."
    ]
    assert "Kept" in response.content.decode()


def test_a_second_weight_for_the_same_type_and_level_is_refused_in_plain_english(erin):
    debt = CaseTypeFactory(name="Debt")
    CaseWeight.objects.create(case_type=debt, level="red", points=Decimal("3"))

    response = _add(
        client_for(erin), "weights", {"case_type": debt.pk, "level": "red", "points": "4"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors.get("level") == [
        "There is already a weight for Debt, Red: edit that one."
    ]
    assert CaseWeight.objects.get(case_type=debt, level="red").points == 3


def test_a_note_template_needs_headings_and_a_name_unique_within_its_case_type(erin):
    housing = CaseTypeFactory(name="Housing")
    http = client_for(erin)
    assert (
        _add(
            http,
            "note-templates",
            {"case_type": housing.pk, "name": "Eviction", "facts": "Notice:\nDates:"},
        ).status_code
        == 302
    )

    again = _add(
        http,
        "note-templates",
        {"case_type": housing.pk, "name": "eviction", "facts": "Other:"},
    )

    assert again.status_code == 400
    assert "already has a template called" in again.context["form"].errors["name"][0]
    assert NoteTemplate.objects.count() == 1


def test_a_second_admin_editing_a_factor_someone_just_changed_is_told(erin):
    factor = ReviewFactor.objects.create(label="Winter pressure", position=1)
    other = UserFactory(username="ezra")
    other.groups.add(Group.objects.get(name=Role.ADMIN))
    token = edit_token([factor], CATALOGUES["review-factors"].fields)
    first = client_for(erin).post(
        _edit_url("review-factors", factor.pk),
        {"label": "Winter peaks", "position": "1", "is_active": "on", "edit_token": token},
    )
    assert first.status_code == 302

    second = client_for(other).post(
        _edit_url("review-factors", factor.pk),
        {"label": "Busy season", "position": "1", "is_active": "on", "edit_token": token},
    )

    assert second.status_code == 409
    html = second.content.decode()
    assert STALE_MESSAGE in html
    assert 'value="Winter peaks"' in html  # the first admin's change, shown
    assert "Busy season" in html  # what the second typed, kept on the page
    assert ReviewFactor.objects.get(pk=factor.pk).label == "Winter peaks"


def test_the_review_timescale_is_set_within_bounds(erin):
    http = client_for(erin)
    token = edit_token([ReviewPolicy.current()], ["interval_working_days"])

    refused = http.post(
        reverse("configuration:review_settings"),
        {"interval_working_days": "0", "edit_token": token},
    )
    saved = http.post(
        reverse("configuration:review_settings"),
        {"interval_working_days": "15", "edit_token": token},
    )

    assert refused.status_code == 400
    assert "interval_working_days" in refused.context["form"].errors
    assert saved.status_code == 302
    assert ReviewPolicy.current().interval_working_days == 15
