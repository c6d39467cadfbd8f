from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caseload.formats import human_date
from reviews.services import reports_generate_all


class Command(BaseCommand):
    help = (
        "Generate the caseload review report of every supervisor for a week (default: the "
        "last complete week). A report that exists already is left as it is."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", help="Any day of the week, as YYYY-MM-DD.")

    def handle(self, *args: Any, period: str | None, **options: Any) -> None:
        start = None
        if period:
            try:
                start = date.fromisoformat(period)
            except ValueError:
                raise CommandError(
                    f"--period must be a date as YYYY-MM-DD, not {period!r}."
                ) from None
        for report, created in reports_generate_all(period_start=start):
            verb = "Generated" if created else "Already there"
            self.stdout.write(
                f"{verb}: report {report.pk} for supervisor {report.supervisor_id}, "
                f"week of {human_date(report.period_start)}"
            )
