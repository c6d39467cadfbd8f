from django.urls import path

from priorities import views

app_name = "priorities"

urlpatterns = [
    path("cases/<int:pk>/assessments/new/", views.assess, name="assess"),
    path("cases/<int:pk>/assessments/override/", views.override, name="override"),
    path(
        "cases/<int:pk>/assessments/<int:assessment_pk>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path("attention/", views.attention, name="attention"),
]
