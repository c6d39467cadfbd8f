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
    path("configuration/", admin.site.urls),
]
