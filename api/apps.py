from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # drf-spectacular finds the schema's security schemes by importing them.
        from api import schema  # noqa: F401
