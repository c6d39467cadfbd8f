from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from caseload.append_only import AppendOnlyModel, AppendOnlyQuerySet


class CaseloadReport(AppendOnlyModel):
    """A supervisor's caseload review report for one week: a snapshot, never changed.

    It holds counts and case references only, never client names, both as data
    (for CSV, PDF and trends) and as the page rendered when it was generated.
    """

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload_reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    generated_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()
    html = models.TextField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "period_start"], name="one_report_per_supervisor_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"Caseload report {self.pk}"


auditlog.register(CaseloadReport, exclude_fields=["html", "data"])
