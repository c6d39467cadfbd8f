"""Forms of the configuration area. They check shapes; the owning app's service checks
the rules (and its errors are put beside the fields, see caseload.web)."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.schedules import SWEEP_MINUTES, WEEKDAYS, Change, Form, Job
from configuration.concurrency import EditTokenField

# Monday first, as people read a week; the values are cron's (0 is Sunday).
WEEKDAY_CHOICES = [(str(n % 7), WEEKDAYS[n % 7]) for n in range(1, 8)]


class ScheduleForm(forms.Form):
    """When one job runs, in the safe form its job allows; the fields depend on it."""

    every_minutes = forms.TypedChoiceField(
        label="Run every",
        coerce=int,
        choices=[(n, f"{n} minutes") for n in SWEEP_MINUTES],
        error_messages={"invalid_choice": "Choose one of the intervals listed."},
    )
    weekday = forms.ChoiceField(
        label="Day of the week",
        choices=WEEKDAY_CHOICES,
        error_messages={"invalid_choice": "Choose a day of the week from the list."},
    )
    at = forms.TimeField(
        label="Time (UK time)",
        help_text="On the 24-hour clock, such as 07:30. Not between 01:00 and 01:59.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={
            "required": "Enter the time it should run, such as 07:30.",
            "invalid": "Enter a time on the 24-hour clock, such as 07:30.",
        },
    )
    enabled = forms.BooleanField(label="Run this job", required=False)
    token = EditTokenField()

    def __init__(self, *args: Any, job: Job, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        keep = {"token", "enabled"}
        if job.form is Form.EVERY_N_MINUTES:
            keep.add("every_minutes")
        elif job.form is Form.DAILY:
            keep.add("at")
        elif job.form is Form.WEEKLY:
            keep |= {"weekday", "at"}
        if not job.can_pause:
            keep.discard("enabled")
        else:
            self.fields[
                "enabled"
            ].help_text = f"Untick to pause it. While it is paused: {job.if_paused}"
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def change(self) -> Change:
        data = self.cleaned_data
        weekday = data.get("weekday")
        return Change(
            enabled=data.get("enabled", True) if self.job.can_pause else True,
            every_minutes=data.get("every_minutes"),
            at=data.get("at"),
            weekday=int(weekday) if weekday not in (None, "") else None,
        )
