from django.urls import path

from configuration import views

app_name = "configuration"

urlpatterns = [
    path("", views.home, name="home"),
]
