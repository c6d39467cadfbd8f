import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

pytestmark = pytest.mark.django_db

# Built at run time so that the source lines the report quotes do not contain it.
SECRET = "".join(["Quill", "feather"])


def test_an_error_report_shows_neither_posted_values_nor_local_variables(settings):
    settings.DEBUG = True
    request = RequestFactory().post("/clients/new/", {"family_name": SECRET})
    family_name = SECRET
    try:
        raise ValueError(f"boom for {len(family_name)}")
    except ValueError:
        html = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()

    assert SECRET not in html
    assert "boom for 12" in html
