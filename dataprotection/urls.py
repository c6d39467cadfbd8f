from django.urls import path

from dataprotection import audit_views, views

app_name = "dataprotection"

urlpatterns = [
    path("", views.home, name="home"),
    # audit: who has seen what
    path("audit/", audit_views.audit_home, name="audit"),
    path("audit/clients/<int:pk>/", audit_views.client_trail, name="audit_client"),
    path("audit/clients/<int:pk>/csv/", audit_views.client_trail_csv, name="audit_client_csv"),
    path("audit/cases/<int:pk>/", audit_views.case_trail, name="audit_case"),
    path("audit/cases/<int:pk>/csv/", audit_views.case_trail_csv, name="audit_case_csv"),
    path("audit/people/", audit_views.person_trail, name="audit_person"),
    path("audit/people/csv/", audit_views.person_trail_csv, name="audit_person_csv"),
    path("audit/break-glass/", audit_views.break_glass_uses, name="audit_break_glass"),
]
