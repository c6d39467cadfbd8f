from django.db import migrations

from caseload.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_break_glass_requests_and_reviews")]

    operations = [make_append_only("cases_breakglassreview")]
