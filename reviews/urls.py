from django.urls import path

from reviews import dashboard, views

app_name = "reviews"

urlpatterns = [
    path("team/", dashboard.team_dashboard, name="team_dashboard"),
    path("team/cases/", dashboard.dashboard_cases, name="dashboard_cases"),
    path("team/all/", dashboard.organisation_teams, name="organisation_teams"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/csv/", views.report_csv_download, name="report_csv"),
    path("reports/<int:pk>/pdf/", views.report_pdf_download, name="report_pdf"),
    path("reviews/capacity/", views.capacity_concern, name="capacity_concern"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/start/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/cases/<int:case_pk>/", views.review_decide, name="review_decide"),
    path("reviews/<int:pk>/reflection/", views.review_reflection, name="review_reflection"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("reviews/<int:pk>/return/", views.review_return, name="review_return"),
    path("reviews/<int:pk>/csv/", views.review_csv, name="review_csv"),
]
