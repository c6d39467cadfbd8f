from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = "Caseload"

    def ready(self) -> None:
        # Registers the master key check (caseload.E001) with Django's system checks.
        from caseload import checks  # noqa: F401
