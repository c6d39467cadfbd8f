"""The search box in the header: what it understands, where it goes, what it keeps to itself."""

import re
from datetime import date

import pytest
from auditlog.models import LogEntry
from django import forms
from django.urls import reverse

from cases.forms import SearchTerms, search_terms_parse
from cases.models import Case
from tests.conftest import client_for
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("cases:client_search")


def _search(user, text: str):
    return client_for(user).post(SEARCH, {"q": text})


def _accessed(user, obj, via: str = "client search") -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=user,
        content_type__model=type(obj)._meta.model_name,
        object_pk=str(obj.pk),
        additional_data__via=via,
    ).exists()


# --- what the box understands -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["CASE-000009", "case-9", "Case 9", "  9 ", "CASE9", "case-0000000009"]
)
def test_a_case_reference_is_understood_however_it_is_typed(typed):
    assert search_terms_parse(typed) == SearchTerms(case_pk=9)


@pytest.mark.parametrize("typed", ["C-000012", "c-12", "C12", "c 12"])
def test_a_client_reference_is_understood_however_it_is_typed(typed):
    assert search_terms_parse(typed) == SearchTerms(client_reference="C-000012")


@pytest.mark.parametrize(
    "typed",
    [
        "Smith 3/11/1987",
        "smith, 03/11/1987",
        "3/11/1987 Smith",
        "Smith 1987-11-03",
        "Smith 3/11/87",
    ],
)
def test_a_family_name_and_date_of_birth_are_understood_in_either_order(typed):
    terms = search_terms_parse(typed)

    assert terms.family_name.lower() == "smith"
    assert terms.date_of_birth == date(1987, 11, 3)
    assert terms.case_pk is None
    assert terms.client_reference == ""


def test_a_name_of_several_words_is_kept_whole():
    assert search_terms_parse("van der Berg 3/11/1987") == SearchTerms(
        family_name="van der Berg", date_of_birth=date(1987, 11, 3)
    )


@pytest.mark.parametrize("typed", ["", "   ", "Smith 31/02/1990", "Smith 1/1/1990 2/2/1990"])
def test_an_empty_box_an_impossible_date_or_two_dates_are_refused(typed):
    with pytest.raises(forms.ValidationError):
        search_terms_parse(typed)


def test_digits_that_are_not_ascii_are_not_a_case_reference():
    assert search_terms_parse("CASE-²").case_pk is None


# --- where it goes ----------------------------------------------------------------------


def test_a_case_reference_goes_straight_to_the_case(alice):
    case = CaseFactory(assigned_to=alice)

    response = _search(alice, f"case-{case.pk}")

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert _accessed(alice, case)


def test_a_client_reference_with_one_case_goes_straight_to_that_case(alice):
    case = CaseFactory(assigned_to=alice)

    response = _search(alice, case.client.reference.lower())

    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert _accessed(alice, case.client)


def test_a_client_with_several_cases_goes_to_the_client(alice):
    first = CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=alice, client=first.client)

    response = _search(alice, first.client.reference)

    assert response["Location"] == reverse("cases:client_detail", args=[first.client.pk])


def test_a_family_name_and_date_of_birth_with_one_match_go_straight_to_the_case(alice):
    case = CaseFactory(
        assigned_to=alice,
        client=ClientFactory(family_name="Quillfeather", date_of_birth=date(1987, 11, 3)),
    )

    response = _search(alice, "quillfeather 3/11/1987")

    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])


def test_several_matches_are_listed_with_their_cases_and_each_is_audited(alice):
    born = date(1990, 3, 12)
    one = CaseFactory(
        assigned_to=alice, client=ClientFactory(family_name="Quill", date_of_birth=born)
    )
    two = CaseFactory(
        assigned_to=alice, client=ClientFactory(family_name="Quill", date_of_birth=born)
    )

    response = _search(alice, "Quill 12/03/1990")

    html = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["results"]) == {one.client, two.client}
    assert reverse("cases:case_detail", args=[one.pk]) in html
    assert reverse("cases:case_detail", args=[two.pk]) in html
    assert all(_accessed(alice, obj) for obj in (one, two, one.client, two.client))


def test_no_match_says_so_and_keeps_the_text_typed(alice):
    response = _search(alice, "Nobodyhere 1/1/1970")

    html = response.content.decode()
    assert response.status_code == 200
    assert "0 clients found" in html
    assert 'value="Nobodyhere 1/1/1970"' in html


def test_an_impossible_date_keeps_the_text_and_says_why_beside_the_box(alice):
    response = _search(alice, "Smith 31/02/1990")

    assert response.status_code == 400
    assert "day/month/year" in " ".join(response.context["quick_form"].errors["q"])
    assert 'value="Smith 31/02/1990"' in response.content.decode()


def test_a_supervisor_finds_a_case_of_their_team(alice, carol):
    case = CaseFactory(assigned_to=alice)

    response = _search(carol, case.reference)

    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])


# --- what it keeps to itself ----------------------------------------------------------------


def test_another_teams_case_is_not_found_and_answers_as_a_case_that_does_not_exist(alice, dave):
    theirs = CaseFactory(assigned_to=dave)
    missing = theirs.pk + 1000

    response = _search(alice, theirs.reference)
    nowhere = _search(alice, Case.reference_for(missing))

    html = response.content.decode()
    assert response.status_code == nowhere.status_code == 200
    assert reverse("cases:case_detail", args=[theirs.pk]) not in html
    assert theirs.client.reference not in html
    assert "held elsewhere in the organisation —" not in html

    # The same page, but for the reference typed (in the box and the heading) and the
    # forms' tokens.
    def bare(page: str, typed: str) -> str:
        page = page.replace(f'value="{typed}"', "").replace(f"reference {typed}<", "<")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert bare(html, theirs.reference) == bare(
        nowhere.content.decode(), Case.reference_for(missing)
    )
    assert _accessed(alice, theirs, via="client search: match held elsewhere")


def test_another_teams_client_by_name_is_not_listed(alice, dave):
    theirs = CaseFactory(
        assigned_to=dave,
        client=ClientFactory(family_name="Zanzibarova", date_of_birth=date(1980, 1, 2)),
    )

    response = _search(alice, "Zanzibarova 2/1/1980")

    assert response.context["results"] == []
    assert theirs.client.reference not in response.content.decode()
    assert _accessed(alice, theirs.client, via="client search: match held elsewhere")


def test_a_case_that_does_not_exist_is_not_found(alice):
    missing = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000

    response = _search(alice, str(missing))

    assert "No case you can see has the reference" in response.content.decode()
    assert f'value="{missing}"' in response.content.decode()


def test_a_search_by_name_puts_no_personal_data_in_any_url(alice):
    case = CaseFactory(
        assigned_to=alice,
        client=ClientFactory(family_name="Quillfeather", date_of_birth=date(1987, 11, 3)),
    )
    header = client_for(alice).get(reverse("cases:my_caseload")).content.decode()

    response = _search(alice, "Quillfeather 3/11/1987")

    # The header's box posts; the answer is a redirect to the case's id, nothing more.
    assert f'method="post" action="{SEARCH}"' in header
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert "Quillfeather" not in response["Location"]


def test_a_search_in_the_address_bar_finds_nothing(alice):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).get(SEARCH, {"q": case.reference})

    assert response.status_code == 200
    assert response.context["found"] is None


def test_the_header_offers_the_search_box_only_to_those_who_reach_client_data(alice, carol, erin):
    def has_box(user) -> bool:
        return (
            'id="site-search-q"'
            in client_for(user).get(reverse("notifications:list")).content.decode()
        )

    assert has_box(alice)
    assert has_box(carol)
    assert not has_box(erin)


def test_an_admin_cannot_search(erin):
    assert _search(erin, "9").status_code == 403
