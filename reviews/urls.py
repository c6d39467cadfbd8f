from django.urls import path

from reviews import dashboard, views

app_name = "reviews"

urlpatterns = [
    path("team/", dashboard.team_dashboard, name="team_dashboard"),
    path("team/cases/", dashboard.dashboard_cases, name="dashboard_cases"),
    path("organisation/teams/", dashboard.organisation_teams, name="organisation_teams"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/csv/", views.report_csv_download, name="report_csv"),
    path("reports/<int:pk>/pdf/", views.report_pdf_download, name="report_pdf"),
]
