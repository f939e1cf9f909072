from django.db import migrations

from revloop.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]

    operations = [
        append_only_triggers(
            "routing_assignment",
            ["rep_id", "at", "rule_id", "team", "skipped", "explanation", "by_user_id"],
        ),
        append_only_triggers(
            "routing_slabreach",
            ["clock_id", "rep_id", "kind", "due_at", "detected_at", "escalated_to_id"],
        ),
    ]
