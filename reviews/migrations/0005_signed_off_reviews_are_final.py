"""A signed-off caseload review, and its decisions, are final: enforced by the database."""

from django.db import migrations

from caseload.append_only import make_frozen_when


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_caseload_reviews")]

    operations = [
        make_frozen_when(
            "reviews_caseloadreview",
            column="status",
            value="signed_off",
            children=(("reviews_reviewdecision", "review_id"),),
        )
    ]
