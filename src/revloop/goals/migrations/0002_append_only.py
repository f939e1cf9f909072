from django.db import migrations

from revloop.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("goals", "0001_initial")]

    operations = [
        append_only_triggers(
            "goals_goalchange",
            [
                "at",
                "by_user_id",
                "target",
                "old_target",
                "change",
                "baseline",
                "baseline_value",
                "note",
            ],
        ),
    ]
