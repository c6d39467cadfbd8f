from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("caseload/", views.my_caseload, name="my_caseload"),
    path("organisation/", views.organisation, name="organisation"),
]
