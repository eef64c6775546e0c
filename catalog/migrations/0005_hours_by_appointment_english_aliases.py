# Issue 8 walkthrough: weekend days served by appointment only (staggered service) in a hall's
# opening hours, and English common names (aliases) of items for the English search.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_english_content"),
    ]

    operations = [
        migrations.AddField(
            model_name="hallopeninghours",
            name="appointment_only",
            field=models.BooleanField(
                default=False,
                help_text="仅周六、周日可选：当天只接待网上预约的错时服务，不现场取号。",
                verbose_name="仅预约（错时服务）",
            ),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="aliases_en",
            field=models.TextField(
                blank=True,
                help_text="英文的常用叫法，每行一个，用于英文搜索。如：business licence、open a restaurant。",
                verbose_name="英文常用名",
            ),
        ),
        migrations.AddConstraint(
            model_name="hallopeninghours",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("appointment_only", False),
                    models.Q(("extended_until__isnull", True), ("weekday__gte", 5)),
                    _connector="OR",
                ),
                name="hours_appointment_only_on_weekends",
                violation_error_message="仅周六、周日可设为仅预约（错时服务），且不设延时服务。",
            ),
        ),
    ]
