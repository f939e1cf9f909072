import django.db.models.deletion
from django.db import migrations, models

# Dropping the index by name instead of letting AlterField do it: on SQLite,
# AlterField rebuilds the whole touch table, minutes for a large one.
INDEX = "activity_touch_person_id_6da34d94"


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0002_initial"),
        ("people", "0004_grade_and_scored_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="touch",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="touches",
                        to="people.person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    reverse_sql=f"CREATE INDEX {INDEX} ON activity_touch (person_id)",
                ),
            ],
        ),
    ]
