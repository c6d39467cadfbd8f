from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read, name="read"),
    path("dismiss/", views.notifications_dismiss, name="dismiss"),
    path("settings/", views.notification_preferences, name="preferences"),
]
