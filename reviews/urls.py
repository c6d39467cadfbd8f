from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("team/", views.team_dashboard, name="team_dashboard"),
]
