from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = "Caseload"

    def ready(self) -> None:
        # Registers the master key check (caseload.E001) with Django's system checks.
        # Records each periodic task's last run (Celery's task signals).
        from caseload import (
            checks,  # noqa: F401
            runs,  # noqa: F401
        )
