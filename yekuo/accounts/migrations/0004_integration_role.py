"""Seed the integration role (系统接口账号): the account another system relays its events through.

Frozen here like 0003's list; `tests/test_models.py` checks the seeded roles equal `codes.ROLES`.
"""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.update_or_create(code="integration", defaults={"name": "系统接口账号"})


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code="integration").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_seed_roles")]

    operations = [migrations.RunPython(seed, unseed)]
