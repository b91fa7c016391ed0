"""The demo's platforms (`yekuo demo`): the four of notice §1 for 鄂尔多斯供电公司, with their default routes
(R3). No keys: `yekuo simulate platform` issues its own, and `yekuo platforms create` issues real ones."""

from yekuo.accounts.models import Company
from yekuo.intake.models import Platform
from yekuo.intake.platforms import KNOWN, platform_ensure


def create_demo_platforms() -> dict:
    company = Company.objects.filter(code="ordos").first()
    if company is None:
        return {"platforms": 0}
    for code in KNOWN:
        platform_ensure(code, company)
    return {"platforms": Platform.objects.filter(company=company).count()}
