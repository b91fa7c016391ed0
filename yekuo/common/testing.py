"""Test support shared by the apps' tests."""

import importlib

from django.apps import apps


def reload_reference_data() -> None:
    """Put back what migrations and the session set-up loaded: transactional tests flush every table.

    The calendar, the bundled regulations and low-risk rule sets, the roles, the suspension reasons and the
    return visits' problem categories (all idempotent).
    """
    from yekuo.approvals.services import rule_set_load_bundled
    from yekuo.regulations.services import regulation_load_bundled
    from yekuo.workcal.services import calendar_seed

    calendar_seed()
    regulation_load_bundled()
    rule_set_load_bundled()
    seeds = (
        ("accounts", "0003_seed_roles"),
        ("accounts", "0004_integration_role"),
        ("orders", "0002_suspension_reasons"),
        ("visits", "0002_seed_problem_categories"),
    )
    for app_label, module in seeds:
        importlib.import_module(f"yekuo.{app_label}.migrations.{module}").seed(apps, None)
