"""The default problem categories of a return visit (R11): data, edited in the admin site afterwards."""

from django.db import migrations

CATEGORIES = [
    ("slow", "办电时间长", "Took too long"),
    ("repeat_visits", "多次跑腿、重复提交资料", "Repeated visits or documents"),
    ("fees", "收取不合理费用", "Unjustified fees"),
    ("attitude", "服务态度", "Staff attitude"),
    ("progress_info", "进度告知不及时", "Not kept informed"),
    ("integrity", "吃拿卡要", "Improper requests"),
    ("power_quality", "接电后供电质量", "Supply quality after connection"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    model = apps.get_model("visits", "ProblemCategory")
    for position, (code, name, name_en) in enumerate(CATEGORIES):
        model.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})


def unseed(apps, schema_editor):
    apps.get_model("visits", "ProblemCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
