"""The REST API (Django REST framework) and its OpenAPI 3 schema, under /api/."""

from django.urls import include, path, re_path

from api import intake, tokens_views
from api.endpoints.common import not_found
from api.views import Me, SchemaView, docs

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    # Pages: one's own personal tokens, and (admins) partners' integration tokens.
    path("tokens/", tokens_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens_views.token_revoke, name="token_revoke"),
    path("integrations/", tokens_views.integrations, name="integrations"),
    path(
        "integrations/<int:pk>/revoke/",
        tokens_views.integration_revoke,
        name="integration_revoke",
    ),
    path("v1/me/", Me.as_view(), name="me"),
    # Referral intake: integration tokens only.
    path("v1/referrals/", intake.ReferralIntakeList.as_view(), name="referrals"),
    path("v1/referrals/<int:pk>/", intake.ReferralIntakeDetail.as_view(), name="referral"),
    path("v1/", include("api.endpoint_urls")),
    # Anything else under /api/ (a negative id, a mistyped path): a 404 problem, as the
    # endpoints answer, never the site's HTML page.
    re_path(r"^(?P<route>[\s\S]*)$", not_found, name="not_found"),
]
