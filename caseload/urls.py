from django.contrib import admin
from django.urls import include, path

from caseload import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cases.urls")),
    path("", include("notes.urls")),
    path("", include("priorities.urls")),
    path("", include("reviews.urls")),
    path("notifications/", include("notifications.urls")),
    path("configuration/", include("configuration.urls")),
    path("data-protection/", include("dataprotection.urls")),
    path("documents/", include("documents.urls")),
    path("api/", include("api.urls")),
    # Django's admin site, kept for emergencies while the configuration area grows.
    path("django-admin/", admin.site.urls),
]

# Tells an unreachable database and an unreadable record apart from other faults.
handler500 = "caseload.errors.server_error"
