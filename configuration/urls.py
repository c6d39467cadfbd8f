from django.urls import path

from configuration import views

app_name = "configuration"

urlpatterns = [
    path("", views.home, name="home"),
    # Schedules and change history (issue 15)
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("history/", views.history, name="history"),
]
