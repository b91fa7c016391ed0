from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "yekuo.approvals"
    label = "approvals"
    verbose_name = "行政审批 Approvals"

    def ready(self) -> None:
        from yekuo.approvals import gate
        from yekuo.orders import gates

        gates.register(gate.check)  # R6/R7: no construction while the consultation, filing or approval is open
