from django.urls import path

from dataprotection import erasure_views, views

app_name = "dataprotection"

urlpatterns = [
    path("", views.home, name="home"),
    # retention, erasure and restriction of processing
    path("retention/", erasure_views.retention, name="retention"),
    path("retention/check/", erasure_views.retention_check, name="retention_check"),
    path("retention/runs/<int:pk>/", erasure_views.disposal_run, name="disposal_run"),
    path("retention/erased/", erasure_views.tombstones, name="tombstones"),
    path("retention/holds/", erasure_views.holds, name="holds"),
    path("retention/holds/<int:pk>/lift/", erasure_views.hold_lift, name="hold_lift"),
    path("restrictions/", erasure_views.restrictions, name="restrictions"),
    path("restrictions/<int:pk>/", erasure_views.restriction, name="restriction"),
    path("restrictions/<int:pk>/lift/", erasure_views.restriction_lift, name="restriction_lift"),
    path("restrictions/<int:pk>/note/", erasure_views.restriction_note, name="restriction_note"),
    path("erasure-requests/", erasure_views.erasure_requests, name="erasure_requests"),
    path("erasure-requests/<int:pk>/", erasure_views.erasure_request, name="erasure_request"),
]
