"""The demo's reserve library (`yekuo demo`, R5): a few prospective projects of 鄂尔多斯供电公司 at every stage,
with follow-ups and planned supporting works. Idempotent: a project already there (by name) is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from yekuo.accounts.models import Company, User
from yekuo.orders.validation import uscc_check
from yekuo.reserve import services
from yekuo.reserve.models import Project, Source, Stage


def _code(first17: str) -> str:
    return first17 + uscc_check(first17)


# name, investor, credit code (first 17), address, load, unit, voltage, branch, stage, days ago, source
PROJECTS = [
    ("康巴什大数据产业园二期", "鄂尔多斯市云谷数据科技有限公司", "91150602MA0Q2X3Y4",
     "康巴什区哈巴格希街道云计算大道8号", 8000, "kVA", "10kV", "kangbashi", Stage.WORKS_PLANNED, 120, Source.PLATFORM),
    ("青春山街道社区养老中心", "鄂尔多斯市康养服务有限公司", "91150603MA0R5T6U7", "康巴什区青春山街道康和路12号",
     400, "kVA", "380V", "kangbashi", Stage.CONTACTED, 45, Source.STAFF),
    ("东胜区铜川镇光伏制氢示范项目", "内蒙古绿氢新能源有限公司", "91150602MA0R8W9W1", "东胜区铜川镇工业园区3号",
     12000, "kW", "10kV", "dongsheng", Stage.IDENTIFIED, 10, Source.PLATFORM),
    ("罕台镇冷链物流中心", "鄂尔多斯市北联冷链物流有限公司", "91150602MA0T1A2B3", "东胜区罕台镇物流园路5号",
     1250, "kVA", "10kV", "dongsheng", Stage.DROPPED, 200, Source.IMPORT),
]  # fmt: skip


def create_demo_reserve() -> dict:
    company = Company.objects.filter(code="ordos").first()
    if company is None:
        return {"reserve projects": 0}
    now = timezone.now()
    for name, investor, first17, address, load, unit, voltage, branch, stage, days, source in PROJECTS:
        if Project.objects.filter(company=company, name=name).exists():
            continue
        manager = User.objects.get(username=f"{branch}_customer_manager")
        planner = User.objects.get(username=f"{branch}_project_manager")
        project = services.project_create(
            actor=manager, source=source, identified_at=now - timedelta(days=days), name=name, investor_name=investor,
            investor_code=_code(first17), site_address=address, expected_load=load, load_unit=unit, voltage=voltage,
            expected_date=date.today() + timedelta(days=240 - days), contact_phone="13947700001",
        )  # fmt: skip
        if stage in (Stage.CONTACTED, Stage.WORKS_PLANNED, Stage.DROPPED):
            met = "上门对接投资方，了解用电需求和建设进度"
            services.follow_up_add(project, actor=manager, method="visit", content=met, next_step="核实负荷与开工时间")
            services.stage_set(project, actor=manager, stage=Stage.CONTACTED)
        if stage == Stage.WORKS_PLANNED:
            services.work_add(project, actor=planner, kind="line", description="新建10kV专线约3.2km",
                              planned_ready=date.today() + timedelta(days=90), readiness="designing")  # fmt: skip
            services.work_add(project, actor=planner, kind="switching", description="新建开闭所1座",
                              planned_ready=date.today() + timedelta(days=120))  # fmt: skip
            services.stage_set(project, actor=planner, stage=Stage.WORKS_PLANNED)
        if stage == Stage.DROPPED:
            services.stage_set(project, actor=manager, stage=Stage.DROPPED, reason="投资方调整计划，项目暂缓建设")
    return {"reserve projects": Project.objects.filter(company=company).count()}
