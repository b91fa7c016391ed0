"""Seed the eight roles of REQUIREMENTS R15 with their Chinese names.

The list is frozen here on purpose (a migration must not import code that may change later);
`tests/test_models.py` checks it still equals `yekuo.accounts.codes.ROLES`.
"""

from django.db import migrations

ROLES = {
    "acceptance_clerk": "业务受理人员",
    "customer_manager": "客户经理",
    "project_manager": "项目经理",
    "dispatcher": "调度员",
    "branch_manager": "分公司经理",
    "department_manager": "部门经理",
    "administrator": "系统管理员",
    "auditor": "审计员",
}


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name in ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name})


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_organisation")]

    operations = [migrations.RunPython(seed, unseed)]
