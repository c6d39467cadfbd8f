"""Error pages and reports that never carry personal data.

Django's error pages and emails normally show POST data and the local
variables of every frame; in Caseload those hold decrypted client data. This
filter hides them always, in development too.

``server_error`` is the page for an unhandled exception (``handler500``). It
tells three faults apart, wherever in the request they were raised (a view, a
template, a middleware): the database could not be reached (503, "try again"),
new data was refused because this process has not proven its master keys (503),
and a record that cannot be decrypted (500, "cannot be read", the key ids logged).
"""

import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.debug import SafeExceptionReporterFilter

from caseload import crypto
from caseload.keycheck import KeyCheckFailed

logger = logging.getLogger("caseload.keys")


def server_error(request: HttpRequest) -> HttpResponse:
    """The page for an unhandled exception; never touches the database.

    A record that cannot be decrypted answers 500, not 503: it is a fault on the
    server's side that trying again will not cure until an administrator acts (a
    key is wrong or missing, or the row was altered), and it must count as an error
    in monitoring. An unreachable database and keys not yet proven answer 503 with
    ``Retry-After``: the request may succeed once the service is back.
    """
    error = sys.exc_info()[1]
    # OperationalError and InterfaceError: psycopg could not reach the server, lost the
    # connection, or the server is shutting down or starting up.
    if isinstance(error, OperationalError | InterfaceError | KeyCheckFailed):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    if isinstance(error, crypto.DecryptionFailed | crypto.KeyNotAvailable):
        # Ids only: the message names keys, fields and row ids, never a value.
        logger.error(
            "A record could not be read: master key %r, data key %s. %s",
            error.master_key_id,
            error.data_key_id or "unknown",
            error,
        )
        return HttpResponseServerError(loader.get_template("record_unreadable.html").render())
    return HttpResponseServerError(loader.get_template("500.html").render())


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
