"""The API's own views that are not endpoints over the domain: its schema."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of the API, generated from its endpoints; holds no data."""
