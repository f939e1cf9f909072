from django.db import migrations

from revloop.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_initial")]

    operations = [
        append_only_triggers(
            "pipeline_opportunitychange",
            ["at", "field", "old_value", "new_value", "by_user_id"],
        ),
    ]
