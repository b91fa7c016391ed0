from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yekuo.accounts"
    label = "accounts"
    verbose_name = "组织与人员 Organisation and people"
