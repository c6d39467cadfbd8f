"""The REST API (Django REST framework) and its OpenAPI 3 schema, under /api/."""

from django.urls import path

from api.views import SchemaView

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
]
