"""The commitment letter (R6, notice §2 ¶1 告知承诺备案): the PDF, read back as text, says what the order's
facts and decision say, in Chinese, with the bundled Noto Sans SC embedded."""

import io

import pytest
from pypdf import PdfReader

from yekuo.approvals import filing, letter
from yekuo.approvals.tests.test_works import decide, planned
from yekuo.common.errors import InvalidInput
from yekuo.web.tests.helpers import IMPORT
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.django_db


def read(pdf: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "".join(text.split()), fonts


@pytest.mark.slow  # loading WeasyPrint's libraries runs ldconfig
def test_the_pdf_reads_back_in_chinese(cast):
    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30", excavation_m=320, route=["康和路", "团结路"])
    draft, fonts = read(letter.letter_pdf(order))
    assert "业扩配套工程告知承诺书" in draft and "草稿：尚未备案" in draft
    assert f"编号：BA{order.number}" in draft and "东区康和路1号" in draft and "张三" in draft
    assert "开挖（下穿、上跨）道路、破绿长度不超过500米：符合（320m，不超过500m）" in draft
    assert "康和路、团结路" in draft and "鄂电营销〔2022〕64号" in draft
    assert any("Noto-Sans-SC" in f for f in fonts), fonts  # the bundled font (this machine has no CJK font)
    filing.filing_record(order, actor=cast.project_manager, occurred_at=at("2026-11-02 15:00"), source=IMPORT)
    filed, _ = read(letter.letter_pdf(order))
    assert "草稿" not in filed and "日期：2026年11月2日" in filed and "测试供电公司" in filed


def test_no_letter_for_works_that_need_an_approval(cast):
    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30", excavation_m=501)
    with pytest.raises(InvalidInput):
        letter.letter_context(order)


@pytest.mark.slow
def test_an_overridden_decision_s_letter_says_so_and_is_signed_by_name(cast):
    """The letter never promises that every condition is met when one is not: it states the manager's override
    and its reason (R6). It is signed with the person's name, not their login."""
    from yekuo.approvals import works
    from yekuo.approvals.facts import read_facts
    from yekuo.approvals.tests.conftest import LOW_RISK

    order = planned(cast)
    manager = cast.branch_manager
    manager.full_name = "郝志明"
    manager.save(update_fields=["full_name"])
    facts, _ = read_facts({**LOW_RISK, "excavation_m": 600})
    works.works_decide(order, actor=manager, facts=facts, override_low_risk=True,
                       override_reason="既有管廊内敷设，不破路", occurred_at=at("2026-11-02 11:30"),
                       source=IMPORT)  # fmt: skip
    text, _ = read(letter.letter_pdf(order))
    assert "符合简易低风险工程的全部条件" not in text and "工程符合简易低风险工程条件" not in text
    assert "不符合（600m，超过500m）" in text
    assert "管理人员郝志明调整判定为简易低风险，理由：既有管廊内敷设，不破路" in text
    assert "经办人：郝志明" in text and "branch_manager" not in text
