from django.urls import path

from priorities import views

app_name = "priorities"

urlpatterns = [
    path("cases/<int:pk>/assess/", views.assess, name="assess"),
    path("cases/<int:pk>/override/", views.override, name="override"),
    path(
        "cases/<int:pk>/assessments/<int:assessment_pk>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path("attention/", views.attention, name="attention"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
