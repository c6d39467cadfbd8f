from django.urls import path

from dataprotection import audit_views, erasure_views, sar_views, views

app_name = "dataprotection"

urlpatterns = [
    path("", views.home, name="home"),
    # Subject access requests (sar_views)
    path("subject-access/", sar_views.sar_list, name="sar_list"),
    path("subject-access/new/", sar_views.sar_open, name="sar_open"),
    path("subject-access/<int:pk>/", sar_views.sar_detail, name="sar_detail"),
    path("subject-access/<int:pk>/extend/", sar_views.sar_extend, name="sar_extend"),
    path("subject-access/<int:pk>/review/", sar_views.sar_review, name="sar_review"),
    path(
        "subject-access/<int:pk>/items/<slug:kind>/<int:object_id>/",
        sar_views.sar_item_decide,
        name="sar_item_decide",
    ),
    path(
        "subject-access/<int:pk>/items/<slug:kind>/<int:object_id>/release-in-full/",
        sar_views.sar_item_release_in_full,
        name="sar_item_release_in_full",
    ),
    path("subject-access/<int:pk>/ready/", sar_views.sar_ready, name="sar_ready"),
    path("subject-access/<int:pk>/release/", sar_views.sar_release, name="sar_release"),
    path("subject-access/<int:pk>/close/", sar_views.sar_close, name="sar_close"),
    path("subject-access/<int:pk>/download/", sar_views.sar_download, name="sar_download"),
    # audit: who has seen what
    path("audit/", audit_views.audit_home, name="audit"),
    path("audit/clients/<int:pk>/", audit_views.client_trail, name="audit_client"),
    path("audit/clients/<int:pk>/csv/", audit_views.client_trail_csv, name="audit_client_csv"),
    path("audit/cases/<int:pk>/", audit_views.case_trail, name="audit_case"),
    path("audit/cases/<int:pk>/csv/", audit_views.case_trail_csv, name="audit_case_csv"),
    path("audit/people/", audit_views.person_trail, name="audit_person"),
    path("audit/people/csv/", audit_views.person_trail_csv, name="audit_person_csv"),
    path("audit/break-glass/", audit_views.break_glass_uses, name="audit_break_glass"),
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
