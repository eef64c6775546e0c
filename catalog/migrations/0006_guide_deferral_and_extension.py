# Cases (issue 10): 容缺受理 and the extension limit on the guide version, the period within which
# a material may follow later on the material.

import django.core.validators
from django.db import migrations, models


def allow_deferral_where_materials_may_follow(apps, schema_editor):
    # A published guide that marks a material "可容缺后补" already told applicants that the item
    # is accepted with it missing: its version allows 容缺受理.
    GuideVersion = apps.get_model("catalog", "GuideVersion")
    GuideVersion.objects.filter(materials__may_follow_later=True).update(allows_deferred_acceptance=True)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_hours_by_appointment_english_aliases'),
    ]

    operations = [
        migrations.AddField(
            model_name='guideversion',
            name='allows_deferred_acceptance',
            field=models.BooleanField(default=False, help_text='勾选表示主要材料齐全时可先行受理，标为“可容缺后补”的材料在规定期限内补齐。', verbose_name='可容缺受理'),
        ),
        migrations.AddField(
            model_name='guideversion',
            name='extension_limit_days',
            field=models.PositiveSmallIntegerField(default=10, help_text='经首席事务代表批准可延长的办理时限合计，一般为10个工作日。', validators=[django.core.validators.MaxValueValidator(60)], verbose_name='可延长时限（工作日）'),
        ),
        migrations.AddField(
            model_name='material',
            name='follow_within_days',
            field=models.PositiveSmallIntegerField(default=5, help_text='容缺受理后，该材料须在受理之日起多少个工作日内补齐。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='容缺后补期限（工作日）'),
        ),
        migrations.RunPython(allow_deferral_where_materials_may_follow, migrations.RunPython.noop),
    ]
