from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("team/", views.team_dashboard, name="team_dashboard"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/csv/", views.report_csv_download, name="report_csv"),
    path("reports/<int:pk>/pdf/", views.report_pdf_download, name="report_pdf"),
]
