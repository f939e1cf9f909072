from django.db import migrations

from revloop.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [
        append_only_triggers(
            "feedback_salesactivity",
            ["user_id", "kind", "at", "outcome", "note", "recorded_at"],
        ),
        append_only_triggers(
            "feedback_hearditem",
            ["user_id", "kind", "text", "topic", "at", "opportunity_id", "recorded_at"],
        ),
        append_only_triggers("feedback_note", ["user_id", "text", "at"]),
    ]
