"""Error reports that never carry personal data.

Django's error pages and emails normally show POST data and the local
variables of every frame; in Caseload those hold decrypted client data. This
filter hides them always, in development too.
"""

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return {name: self.cleansed_substitute for name in request.POST}

    # Django's stub says ItemsView; Django itself iterates the result as pairs,
    # which is what a list of pairs gives.
    def get_traceback_frame_variables(  # type: ignore[override]
        self, request: HttpRequest | None, tb_frame: Any
    ) -> list[tuple[str, Any]]:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
