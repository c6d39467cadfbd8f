from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from caseload.formats import human_date
from priorities.models import DeadlineFlag
from priorities.sweep import sweep_deadlines


class Command(BaseCommand):
    help = (
        "Run the deadline sweep now (the worker runs it every 15 minutes): flag open cases "
        "whose due dates are approaching, due or breached, notify, and print what it flagged."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def report(case_id: int, deadline: str, due_on: date, stage: str) -> None:
            self.stdout.write(
                f"FLAG case {case_id}: {DeadlineFlag.Deadline(deadline).label} "
                f"{DeadlineFlag.Stage(stage).label.lower()} ({human_date(due_on)})"
            )

        result = sweep_deadlines(on_raise=report)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.raised} flag(s) raised, {result.cleared} cleared, "
                f"{result.notified} notification(s)."
            )
        )
