"""Pages: bad input re-renders with the user's text and the error beside the field."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import Case, CaseShare, Client
from tests.conftest import client_for
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

NEW_CLIENT = {
    "given_name": "Ottoline",
    "family_name": "Quillfeather",
    "date_of_birth": "03/11/1987",
    "postcode": "LS6 2QT",
    "case-presenting_issue": "Rent arrears",
    "case-referral_source": "self",
}


@pytest.fixture(autouse=True)
def _a_case_type(db):
    from tests.factories import CaseTypeFactory

    NEW_CLIENT["case-case_type"] = str(CaseTypeFactory(name="Housing").pk)


def _field_error(response, field: str) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


def test_an_adviser_creates_a_client_with_their_first_case_and_lands_on_the_case(alice):
    response = client_for(alice).post(reverse("cases:client_create"), NEW_CLIENT)

    client = Client.objects.get()
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.client == client
    assert case.assigned_to == alice
    assert client.date_of_birth == date(1987, 11, 3)
    assert client.family_name == "Quillfeather"


def test_a_new_client_without_a_case_type_keeps_everything_typed_and_saves_nothing(alice):
    response = client_for(alice).post(
        reverse("cases:client_create"), {**NEW_CLIENT, "case-case_type": ""}
    )

    assert response.status_code == 400
    assert response.context["case_form"].errors["case_type"]
    assert 'value="Quillfeather"' in response.content.decode()
    assert not Client.objects.exists()


def test_an_impossible_date_of_birth_keeps_everything_typed(alice):
    response = client_for(alice).post(
        reverse("cases:client_create"), {**NEW_CLIENT, "date_of_birth": "31/02/1987"}
    )

    assert response.status_code == 400
    assert "real date" in _field_error(response, "date_of_birth")
    html = response.content.decode()
    assert 'value="Quillfeather"' in html
    assert 'value="31/02/1987"' in html
    assert not Client.objects.exists()


def test_a_possible_duplicate_the_adviser_can_see_is_named_before_a_second_client(alice):
    existing = CaseFactory(
        assigned_to=alice,
        client=ClientFactory(
            family_name="Quillfeather", date_of_birth=date(1987, 11, 3), created_by=alice
        ),
    ).client
    client = client_for(alice)

    warned = client.post(reverse("cases:client_create"), NEW_CLIENT)
    confirmed = client.post(reverse("cases:client_create"), {**NEW_CLIENT, "not_a_duplicate": "on"})

    assert warned.status_code == 400
    assert existing.reference in warned.content.decode()
    assert (
        "Ottoline" not in warned.content.decode().split("Possible duplicate")[1].split("</div>")[0]
    )
    assert confirmed.status_code == 302
    assert Client.objects.count() == 2


def test_a_duplicate_held_by_another_team_is_mentioned_but_never_named(alice, dave):
    theirs = CaseFactory(
        assigned_to=dave,
        client=ClientFactory(
            family_name="Quillfeather", date_of_birth=date(1987, 11, 3), created_by=dave
        ),
    ).client

    warned = client_for(alice).post(reverse("cases:client_create"), NEW_CLIENT)

    html = warned.content.decode()
    assert warned.status_code == 400
    assert "held elsewhere in the organisation" in html
    assert theirs.reference not in html
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=alice,
        object_pk=str(theirs.pk),
        additional_data__via="duplicate check: match held elsewhere",
    ).exists()


def test_closing_without_a_reason_keeps_the_outcome_text_and_changes_nothing(alice):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).post(
        reverse("cases:case_status", args=[case.pk]),
        {"status": "closed", "closure_outcome": "Tenancy saved after negotiation"},
    )

    assert response.status_code == 400
    assert "Say why" in _field_error(response, "closure_reason")
    assert "Tenancy saved after negotiation" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_sharing_without_consent_is_refused_beside_the_consent_field(alice, dave):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).post(
        reverse("cases:share_add", args=[case.pk]),
        {
            "shared_with": dave.pk,
            "level": "view",
            "reason": "Covering the drop-in",
            "expires_on": (date.today() + timedelta(days=7)).strftime("%d/%m/%Y"),
        },
    )

    assert response.status_code == 400
    assert "consent" in _field_error(response, "consent")
    assert "Covering the drop-in" in response.content.decode()
    assert not CaseShare.objects.exists()


def test_an_outcome_with_a_past_target_date_is_refused_and_nothing_is_saved(alice):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).post(
        reverse("cases:outcome_add", args=[case.pk]),
        {"description": "Keep the home", "measure": "Claim withdrawn", "target_date": "01/01/2020"},
    )

    assert response.status_code == 400
    assert "past" in _field_error(response, "target_date")
    assert not case.outcomes.exists()


def test_the_case_timeline_filters_by_kind(alice):
    case = CaseFactory(assigned_to=alice)
    client = client_for(alice)
    client.post(
        reverse("cases:obstacle_add", args=[case.pk]),
        {"kind": "resources", "description": "No interpreter available"},
    )

    everything = client.get(reverse("cases:case_detail", args=[case.pk]))
    obstacles = client.get(reverse("cases:case_detail", args=[case.pk]), {"kind": "obstacles"})

    def kinds(response):
        return [entry.item.kind for entry in response.context["timeline"].items]

    assert kinds(everything) == ["obstacle", "created"]
    assert kinds(obstacles) == ["obstacle"]


def test_the_caseload_filters_by_status_and_pages_by_25(alice):
    for _ in range(26):
        CaseFactory(assigned_to=alice)
    held = CaseFactory(assigned_to=alice)
    held.status = Case.Status.ON_HOLD
    held.save()
    client = client_for(alice)

    first = client.get(reverse("cases:my_caseload"))
    on_hold = client.get(reverse("cases:my_caseload"), {"status": "on_hold"})

    assert first.context["page"].paginator.count == 27
    assert len(first.context["page"].object_list) == 25
    assert list(on_hold.context["page"].object_list) == [held]


def test_closed_cases_leave_the_caseload(alice):
    case = CaseFactory(assigned_to=alice)
    client = client_for(alice)
    client.post(
        reverse("cases:case_status", args=[case.pk]),
        {"status": "closed", "closure_reason": "outcomes_met", "closure_outcome": "Done"},
    )

    response = client.get(reverse("cases:my_caseload"))

    assert response.context["page"].paginator.count == 0


def test_a_search_by_name_and_date_of_birth_in_the_body_goes_to_the_clients_only_case(alice):
    case = CaseFactory(
        assigned_to=alice,
        client=ClientFactory(family_name="Quillfeather", date_of_birth=date(1987, 11, 3)),
    )

    response = client_for(alice).post(
        reverse("cases:client_search"),
        {"family_name": "quillfeather", "date_of_birth": "3/11/1987"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])


def test_a_search_in_the_address_bar_searches_nothing(alice):
    ClientFactory(family_name="Quillfeather", created_by=alice)

    response = client_for(alice).get(
        reverse("cases:client_search"), {"family_name": "Quillfeather"}
    )

    assert response.context["results"] is None
    assert 'method="post"' in response.content.decode()


def test_an_open_deadline_in_the_past_is_shown_as_overdue(alice):
    case = CaseFactory(assigned_to=alice)
    from cases import services

    services.deadline_add(
        case=case,
        due_on=date.today() - timedelta(days=2),
        description="Appeal lodged",
        added_by=alice,
        today=date.today() - timedelta(days=5),
    )

    html = client_for(alice).get(reverse("cases:case_detail", args=[case.pk])).content.decode()

    assert "Overdue" in html


def test_the_allocation_picker_shows_each_advisers_load_against_capacity(alice, bob, carol):
    from cases.models import AdviserProfile

    AdviserProfile.objects.filter(user=alice).update(capacity_points=4, fte=1)
    AdviserProfile.objects.filter(user=bob).delete()
    case = CaseFactory(assigned_to=alice)

    page = client_for(carol).get(reverse("cases:case_reassign", args=[case.pk]))

    hint = page.context["form"].fields["adviser"].help_text
    assert "Alice Adams, " in hint
    assert "of 4 points" in hint
    assert "no capacity set" in hint
    # The choices themselves stay the advisers' names.
    assert "Alice Adams" in {
        label for _value, label in page.context["form"].fields["adviser"].choices
    }
