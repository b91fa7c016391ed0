from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yekuo.accounts"
    label = "accounts"
    verbose_name = "组织与人员 Organisation and people"

    def ready(self):
        from yekuo.accounts import signals  # noqa: F401  (connects the receivers)
