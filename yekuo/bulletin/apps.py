from django.apps import AppConfig


class BulletinConfig(AppConfig):
    name = "yekuo.bulletin"
    label = "bulletin"
    verbose_name = "月度通报与绩效考核"

    def ready(self):
        from yekuo.bulletin.cli import register

        register()  # xlsx, pdf and html of `yekuo report monthly`
