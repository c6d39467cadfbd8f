"""The REST API (Django REST framework) and its OpenAPI 3 schema, under /api/."""

from django.urls import include, path

from api.views import SchemaView

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("v1/", include("api.endpoint_urls")),
]
