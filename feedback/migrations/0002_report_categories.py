"""Seed the categories of “办不成事” reports (REQUIREMENTS §9); administrators edit them later."""

from django.db import migrations

CATEGORIES = (
    ("missing_policy", "缺少政策依据", "No policy basis", "现行政策没有规定或规定不明确，窗口无法办理。"),
    ("cross_department", "跨部门协同", "Cross-department coordination", "需要多个部门配合、互相推诿或信息不共享。"),
    ("system_fault", "系统故障", "System fault", "业务系统、网络或自助设备故障，导致无法办理。"),
    ("staff_conduct", "工作人员作风", "Staff conduct", "服务态度、推诿扯皮、办事拖延等作风问题。"),
    ("unclear_guide", "办事指南不清晰", "Unclear guide", "办事指南与窗口要求不一致，或材料要求说明不清。"),
    ("other", "其他", "Other", ""),
)


def seed(apps, schema_editor):
    ReportCategory = apps.get_model("feedback", "ReportCategory")
    for order, (code, name, name_en, description) in enumerate(CATEGORIES, start=1):
        ReportCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "description": description, "order": order * 10}
        )


def unseed(apps, schema_editor):
    ReportCategory = apps.get_model("feedback", "ReportCategory")
    ReportCategory.objects.filter(code__in=[c[0] for c in CATEGORIES], reports__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
