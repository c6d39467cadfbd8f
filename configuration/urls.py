from django.urls import path

from configuration import timescales, views

app_name = "configuration"

urlpatterns = [
    path("", views.home, name="home"),
    # Timescales and calendar
    path("timescales/", timescales.timescales, name="timescales"),
    path("timescales/<int:case_type_id>/", timescales.timescales_edit, name="timescales_edit"),
    path("calendar/", timescales.calendar, name="calendar"),
    path("calendar/nation/", timescales.calendar_nation, name="calendar_nation"),
    path("calendar/closures/", timescales.closure_add, name="closure_add"),
    path("calendar/closures/<int:pk>/remove/", timescales.closure_remove, name="closure_remove"),
]
