from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "yekuo.approvals"
    label = "approvals"
    verbose_name = "行政审批 Approvals"
