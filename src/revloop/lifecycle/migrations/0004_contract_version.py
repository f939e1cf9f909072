import django.db.models.deletion
from django.db import migrations, models

from revloop.core.append_only import append_only_triggers

TABLE = "lifecycle_stagetransition"
FROZEN = ["from_stage", "to_stage", "at", "by_user_id", "by_rule", "reason_code", "note"]

# The triggers name their columns, so the new one joins them by replacing them. A
# nullable foreign key is added in place on SQLite, which keeps the table (and its
# triggers) rather than rebuilding it.
_old = append_only_triggers(TABLE, FROZEN)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("lifecycle", "0003_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="stagetransition",
            name="contract_version",
            field=models.ForeignKey(
                blank=True,
                help_text="The contract that allowed the move; empty for imported and demo history",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contracts.contractversion",
            ),
        ),
        migrations.RunPython(_old.reverse_code, _old.code),
        append_only_triggers(TABLE, [*FROZEN, "contract_version_id"]),
    ]
