import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")

application = get_wsgi_application()

# Refuse to serve with master keys that are not the organisation's (caseload.keycheck).
from caseload.keycheck import key_check_at_startup  # noqa: E402 - needs Django set up

key_check_at_startup("web")
