"""Caseload review reports: figures, snapshots, idempotency, downloads, access."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.append_only import AppendOnlyError
from notes import services as note_services
from notifications.models import Notification
from notifications.services import outbox_send
from priorities import services as priority_services
from reviews.models import CaseloadReport
from reviews.services import last_complete_week, report_generate, reports_generate_all, week_of
from tests.conftest import client_for
from tests.factories import CaseFactory, SupervisorFactory, published_criteria

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)


def _report(carol, **kwargs):
    return report_generate(supervisor=carol, period_start=MONDAY, **kwargs)


def test_a_period_is_the_monday_to_sunday_week():
    assert week_of(dt.date(2026, 11, 19)) == (MONDAY, dt.date(2026, 11, 22))
    assert last_complete_week(today=dt.date(2026, 11, 23)) == (MONDAY, dt.date(2026, 11, 22))


def test_the_figures_equal_counts_made_independently(alice, bob, carol, dave):
    published_criteria()
    red = CaseFactory(assigned_to=alice)
    priority_services.assessment_record(
        case=red, answers={"safeguarding": 1, "complexity": 0}, rationale="Risk", assessed_by=alice
    )
    CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=bob)
    CaseFactory(assigned_to=dave)  # another team: not in carol's report
    note_services.action_create(
        case=red,
        description="Chase",
        owner="adviser",
        due_on=timezone.localdate() - dt.timedelta(days=2),
        created_by=alice,
        today=timezone.localdate() - dt.timedelta(days=5),
    )

    report, created = _report(carol)

    rows = {row["adviser"]: row for row in report.data["advisers"]}
    assert created
    assert set(rows) == {"Alice Adams", "Bob Baker"}
    assert (
        rows["Alice Adams"]["open"],
        rows["Alice Adams"]["red"],
        rows["Alice Adams"]["unassessed"],
    ) == (2, 1, 1)
    assert Decimal(rows["Alice Adams"]["load"]) == 3 + 1  # the default weights: red 3, unassessed 1
    assert rows["Alice Adams"]["overdue_actions"] == 1
    assert rows["Bob Baker"]["open"] == 1
    assert report.data["totals"]["open"] == 3


def test_generating_again_returns_the_same_report_and_announces_it_once(carol, alice, mailoutbox):
    first, created = _report(carol)
    again, created_again = _report(carol)

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Notification.objects.filter(recipient=carol).count() == 1
    assert outbox_send() == 1
    assert len(mailoutbox) == 1


def test_the_database_allows_one_report_per_supervisor_and_week(carol, alice):
    report, _ = _report(carol)

    with pytest.raises(IntegrityError), transaction.atomic():
        CaseloadReport.objects.create(
            supervisor=carol, period_start=MONDAY, period_end=report.period_end, data={}, html=""
        )


def test_a_report_is_a_snapshot_that_cannot_change(carol, alice):
    report, _ = _report(carol)

    with pytest.raises(AppendOnlyError):
        report.save()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE reviews_caseloadreport SET html = ''")


def test_a_report_holds_no_client_name(carol, alice):
    case = CaseFactory(assigned_to=alice)

    report, _ = _report(carol)

    assert case.client.family_name not in report.html
    assert case.client.family_name not in str(report.data)


def test_the_trend_compares_with_earlier_weeks(carol, alice):
    CaseFactory(assigned_to=alice)
    report_generate(supervisor=carol, period_start=MONDAY - dt.timedelta(days=7))

    report, _ = _report(carol)

    assert [week["period_start"] for week in report.data["trend"]] == ["2026-11-09"]


def test_the_supervisor_reads_the_report_and_downloads_csv_and_pdf(carol, alice):
    CaseFactory(assigned_to=alice)
    report, _ = _report(carol)
    client = client_for(carol)

    page = client.get(reverse("reviews:report_detail", args=[report.pk]))
    csv = client.get(reverse("reviews:report_csv", args=[report.pk]))
    pdf = client.get(reverse("reviews:report_pdf", args=[report.pk]))

    assert "Caseload per adviser" in page.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[1].startswith("Alice Adams,1,")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "url_name", ["reviews:report_detail", "reviews:report_csv", "reviews:report_pdf"]
)
def test_another_supervisor_gets_not_found_and_advisers_are_refused(carol, alice, south, url_name):
    report, _ = _report(carol)
    other = SupervisorFactory(username="sam")
    south.supervisors.add(other)

    assert client_for(other).get(reverse(url_name, args=[report.pk])).status_code == 404
    assert client_for(alice).get(reverse(url_name, args=[report.pk])).status_code == 403


def test_the_command_generates_once_per_supervisor_and_week(carol, alice, capsys):
    call_command("generate_review_reports", "--period", "2026-11-18")
    call_command("generate_review_reports", "--period", "2026-11-18")

    out = capsys.readouterr().out
    assert "Generated: report" in out
    assert "Already there: report" in out
    assert CaseloadReport.objects.get().period_start == MONDAY


def test_the_command_refuses_a_bad_period_with_one_line():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("generate_review_reports", "--period", "last week")


def test_the_task_wrapper_generates_last_week_s_reports(carol, alice):
    from reviews.tasks import generate_review_reports_task

    assert generate_review_reports_task.apply().get() == 1
    assert generate_review_reports_task.apply().get() == 0


def test_a_run_of_reports_reads_the_organisations_rules_once_and_makes_one_report_each(
    alice, carol, dave, sam
):
    """The calendar, criteria and weights are read once for every supervisor's report."""
    published_criteria()
    CaseFactory(assigned_to=alice)
    CaseFactory(assigned_to=dave)

    with CaptureQueriesContext(connection) as run:
        made = reports_generate_all(period_start=MONDAY, email=False)

    assert sorted(report.supervisor.username for report, created in made if created) == [
        "carol",
        "sam",
    ]
    reads = [q["sql"] for q in run.captured_queries]
    for table in ("priorities_closureday", "priorities_criteriaversion", "reviews_caseweight"):
        assert sum(f'FROM "{table}"' in sql for sql in reads) == 1, table
