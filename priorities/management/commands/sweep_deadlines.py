from typing import Any

from django.core.management.base import BaseCommand

from priorities.sweep import sweep_deadlines


class Command(BaseCommand):
    help = (
        "Run the deadline sweep now (the worker runs it every 15 minutes): flag open cases "
        "whose due dates are approaching, due or breached, notify, and print what it flagged."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep_deadlines()
        for flag in result.raised:
            self.stdout.write(
                f"FLAG case {flag.case_id}: {flag.get_deadline_display()} "
                f"{flag.get_stage_display().lower()} ({flag.due_on:%d/%m/%Y})"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.raised)} flag(s) raised, {result.cleared} cleared, "
                f"{result.notified} notification(s)."
            )
        )
