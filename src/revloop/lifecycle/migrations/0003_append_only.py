from django.db import migrations

from revloop.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0002_initial")]

    operations = [
        append_only_triggers(
            "lifecycle_stagetransition",
            ["from_stage", "to_stage", "at", "by_user_id", "by_rule", "reason_code", "note"],
        ),
    ]
