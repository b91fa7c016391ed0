from django.db import migrations

# I5: the customer is responsible (documents missing, customer-side works, customer asks to wait).
REASONS = [
    ("documents_missing", "客户资料不全", "Customer documents missing", True),
    ("customer_works", "客户侧受电工程施工中", "Customer-side works in progress", True),
    ("customer_request", "客户要求暂缓", "Customer asked to wait", True),
    ("site_not_ready", "现场不具备条件（客户原因）", "Site not ready (customer)", True),
    ("fees_unpaid", "客户未缴纳相关费用", "Customer fees unpaid", True),
]


def seed(apps, schema_editor):
    Reason = apps.get_model("orders", "SuspensionReason")
    for code, name, name_en, evidence in REASONS:
        Reason.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "requires_evidence": evidence}
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
