"""One way of writing dates and times for people (caseload/formats): 27 Nov 2026, 14:05
in London, and 27 Nov 2026, 14:05 together; ISO 8601 in CSV files."""

from datetime import UTC, date, datetime, time

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats

from caseload.exports import csv_cell
from caseload.formats import human_date, human_datetime, human_iso_date, human_time
from cases.forms import UKDateField
from notes.forms import NoteForm

WINTER = datetime(2026, 11, 27, 14, 5, tzinfo=UTC)  # 14:05 in London (GMT)
SUMMER = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)  # 14:05 in London (BST)


def test_a_date_reads_as_day_short_month_and_year():
    assert human_date(date(2026, 11, 27)) == "27 Nov 2026"


def test_a_single_digit_day_has_no_leading_zero_and_keeps_its_year():
    assert human_date(date(2026, 12, 4)) == "4 Dec 2026"


def test_no_date_reads_as_nothing():
    assert human_date(None) == ""


def test_a_time_reads_on_the_24_hour_clock_in_london_in_winter():
    assert human_time(WINTER) == "14:05"


def test_a_time_reads_in_london_summer_time():
    assert human_time(SUMMER) == "14:05"


def test_a_time_of_day_reads_the_same():
    assert human_time(time(9, 30)) == "09:30"


def test_a_moment_reads_as_date_then_time():
    assert human_datetime(SUMMER) == "1 Jul 2026, 14:05"


def test_a_moment_s_date_is_its_day_in_london_not_in_utc():
    late_on_the_30th_in_utc = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)

    assert human_date(late_on_the_30th_in_utc) == "1 Jul 2026"


def test_a_date_stored_as_iso_text_reads_the_same():
    assert human_iso_date("2026-11-27") == "27 Nov 2026"


def test_templates_named_formats_give_what_the_helpers_give():
    rendered = Template(
        '{{ day|date }}|{{ at|date:"DATETIME_FORMAT" }}|{{ at|time }}|{{ at|date:"SHORT_DATE_FORMAT" }}'
    ).render(Context({"day": date(2026, 11, 27), "at": SUMMER}))

    assert rendered == "27 Nov 2026|1 Jul 2026, 14:05|14:05|1 Jul 2026"


def test_a_bare_date_or_moment_in_a_template_or_the_admin_reads_the_same():
    # The admin's lists and read-only fields show values through localize.
    assert formats.localize(date(2026, 11, 27)) == "27 Nov 2026"
    rendered = Template("{{ at }}").render(Context({"at": SUMMER}))
    assert rendered == "1 Jul 2026, 14:05"


@pytest.mark.parametrize(
    "typed", ["27/11/2026", "27/11/26", "27-11-2026", "27.11.2026", "27 Nov 2026", "2026-11-27"]
)
def test_a_date_field_accepts_the_common_uk_ways_of_writing_a_date(typed):
    assert UKDateField().clean(typed) == date(2026, 11, 27)


def test_a_date_field_shows_a_date_it_holds_as_day_month_year():
    html = UKDateField().widget.render("day", date(2026, 12, 4))

    assert 'value="04/12/2026"' in html


@pytest.mark.parametrize("typed", ["14:05", "14.05", "1405"])
def test_the_note_form_accepts_a_time_typed_the_usual_ways(typed):
    assert NoteForm.base_fields["contact_time"].clean(typed) == time(14, 5)


def test_a_csv_cell_holds_a_date_in_iso_8601():
    assert csv_cell(date(2026, 11, 27)) == "2026-11-27"


def test_a_csv_cell_holds_a_moment_in_iso_8601_in_london_time():
    assert csv_cell(SUMMER) == "2026-07-01T14:05"


@pytest.mark.django_db
def test_the_configuration_site_shows_dates_the_same_way(root):
    from priorities.models import ClosureDay
    from tests.conftest import client_for

    ClosureDay.objects.create(day=date(2026, 12, 24), description="Office closed")

    response = client_for(root).get(reverse("admin:priorities_closureday_changelist"))

    assert response.status_code == 200
    assert "24 Dec 2026" in response.content.decode()


@pytest.mark.django_db
def test_the_configuration_site_shows_moments_in_london_the_same_way(alice, north):
    from caseload.roles import Role
    from cases import people
    from tests.conftest import client_for
    from tests.factories import UserFactory

    manager = UserFactory(username="mia", roles=[Role.SERVICE_MANAGER])
    people.access_revoke(
        user=alice, revoked_by=manager, reason="Moved to the South office", team=north, now=SUMMER
    )

    superuser = UserFactory(username="root", is_superuser=True)
    response = client_for(superuser).get(reverse("admin:cases_accesschange_changelist"))

    assert response.status_code == 200
    assert "1 Jul 2026, 14:05" in response.content.decode()
