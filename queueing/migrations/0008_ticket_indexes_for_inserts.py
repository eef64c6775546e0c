"""Fewer indexes for every ticket issued (issue 14): each issue inserts a ticket and its first
event, and each index is written with them.

Dropped: the hall's index on the ticket (ticket_day_idx and ticket_number_once_per_day begin with
hall_id), the ticket's on the event (ticket_event_idx begins with ticket_id), the LIKE index
(varchar_pattern_ops) PostgreSQL gets beside the token's unique index (tokens are only looked up
whole). The windows and the staff member, empty on every new ticket, are indexed only where set.

Each index is dropped by name rather than by Django's AlterField, which on PostgreSQL drops and
re-creates the foreign key (validating every row of a table of millions, under lock) and drops
every index on the column it finds, ticket_one_current_per_window included.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

# (model, field, Django's name of the field's index)
DROPPED = [
    ("ticket", "hall", "queueing_ticket_hall_id_a72224c8"),
    ("ticket", "window", "queueing_ticket_window_id_b9f0f80f"),
    ("ticket", "target_window", "queueing_ticket_target_window_id_ed1271a9"),
    ("ticket", "staff", "queueing_ticket_staff_id_dbc6b725"),
    ("ticketevent", "ticket", "queueing_ticketevent_ticket_id_ff71d7fe"),
]
COLUMNS = {"hall": "hall_id", "window": "window_id", "target_window": "target_window_id", "staff": "staff_id", "ticket": "ticket_id"}
TABLES = {"ticket": "queueing_ticket", "ticketevent": "queueing_ticketevent"}
TOKEN_LIKE = "queueing_ticket_token_a3cf459b_like"  # noqa: S105 - an index name


def drop_token_like(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{TOKEN_LIKE}"')


def create_token_like(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{TOKEN_LIKE}" ON "queueing_ticket" ("token" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0007_service_time_profile"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="hall",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.hall",
                        verbose_name="大厅",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="tickets",
                        to="queueing.window",
                        verbose_name="窗口",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="target_window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="转至指定窗口的号码只由该窗口叫号。",
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to="queueing.window",
                        verbose_name="指定窗口",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="staff",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="工作人员",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="events",
                        to="queueing.ticket",
                        verbose_name="排队号",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLES[model]}" ("{COLUMNS[field]}")',
                )
                for model, field, name in DROPPED
            ],
        ),
        migrations.RunPython(drop_token_like, create_token_like),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=Q(window__isnull=False), fields=["window"], name="ticket_window_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=Q(target_window__isnull=False), fields=["target_window"], name="ticket_target_window_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=Q(staff__isnull=False), fields=["staff"], name="ticket_staff_idx"),
        ),
    ]
