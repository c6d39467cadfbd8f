"""Starting weights, the factors checklist and the review timescale; admins configure them."""

from decimal import Decimal

from django.db import migrations

from caseload.roles import role_permissions_migrate

WEIGHTS = {"red": Decimal("3"), "amber": Decimal("2"), "green": Decimal("1"), "": Decimal("1")}
FACTORS = [
    "Referral volume",
    "Case complexity",
    "Resources",
    "Policy or legislation change",
    "Seasonal demand",
]
MODELS = ["caseweight", "reviewfactor", "reviewpolicy"]


def defaults(apps, schema_editor):
    CaseWeight = apps.get_model("reviews", "CaseWeight")
    ReviewFactor = apps.get_model("reviews", "ReviewFactor")
    ReviewPolicy = apps.get_model("reviews", "ReviewPolicy")
    for level, points in WEIGHTS.items():
        CaseWeight.objects.get_or_create(case_type=None, level=level, defaults={"points": points})
    for position, label in enumerate(FACTORS):
        ReviewFactor.objects.get_or_create(label=label, defaults={"position": position})
    ReviewPolicy.objects.get_or_create(pk=1)
    role_permissions_migrate(
        apps,
        [
            ("reviews", f"{action}_{model}")
            for model in MODELS
            for action in ("view", "add", "change", "delete")
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0005_signed_off_reviews_are_final")]

    operations = [migrations.RunPython(defaults, migrations.RunPython.noop)]
