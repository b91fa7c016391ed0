"""The works page (R6, R7): the facts form, the decision with each criterion, what each decision sets (I8),
the override for managers only, the filing and its letter, the approval, the consultations and the gate."""

import pytest

from yekuo.approvals.models import Consultation, WorksDecision
from yekuo.approvals.tests.test_works import decide, planned
from yekuo.web.tests.helpers import login

pytestmark = pytest.mark.django_db

FACTS = {"voltage_kv": "10", "excavation_m": "500", "obstacles": "false", "single_function": "true",
         "simple_technique": "true", "touches_important_street": "false"}  # fmt: skip


def post(client, order, key, data, pk=None):
    prefix = f"{key}-{pk}" if pk else key
    url = f"/orders/{order.number}/works/{key}/" + (f"{pk}/" if pk else "")
    return client.post(url, {f"{prefix}-{k}": v for k, v in data.items()})


def test_the_page_says_what_each_decision_sets(client, cast):
    order = planned(cast, "lv_business")
    login(client, cast.project_manager, cast)
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert "办理行政审批（备案）手续时限设为 0 个工作日" in page and "办理行政审批，时限设为 3 个工作日" in page
    assert "decide-override" not in page  # a project manager does not override
    detail = client.get(f"/orders/{order.number}/").content.decode()
    assert 'id="works-card"' in detail and "登记工程情况并判定" in detail and "approval-low_risk" not in detail
    dual = planned(cast, "hv10_dual")
    assert "本类别两种判定的时限相同" in client.get(f"/orders/{dual.number}/works/").content.decode()


def test_decide_on_the_page_then_file(client, cast):
    order = planned(cast)
    login(client, cast.project_manager, cast)
    answer = post(client, order, "decide", {**FACTS, "excavation_m": "501", "route": "康和路、团结路"})
    assert answer.status_code == 302
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert 'data-criterion="excavation" data-passed="false"' in page and "超过 500 m" in page
    assert "行政审批未提交" in page and "办理时限 3 个工作日" in page
    assert WorksDecision.objects.get(order=order).facts["route"] == ["康和路", "团结路"]
    # Corrected facts: a new decision (the earlier one stays in the history).
    assert post(client, order, "decide", FACTS).status_code == 302
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert "告知承诺备案未办理" in page and "此前的判定" in page and "查看、打印告知承诺书" in page
    letter = client.get(f"/orders/{order.number}/works/letter/").content.decode()
    assert "业扩配套工程告知承诺书" in letter and "草稿：尚未备案" in letter
    assert post(client, order, "file", {}).status_code == 302
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert f"已备案：BA{order.number}" in page and "form-decide" not in page  # the decision now stands


def test_a_missing_fact_is_shown_on_its_field(client, cast):
    order = planned(cast)
    login(client, cast.project_manager, cast)
    answer = post(client, order, "decide", {**FACTS, "obstacles": ""})
    assert answer.status_code == 400 and "invalid-feedback" in answer.content.decode()
    assert not WorksDecision.objects.exists()


def test_a_manager_overrides_with_a_reason(client, cast):
    order = planned(cast)
    login(client, cast.branch_manager, cast)
    assert "decide-override" in client.get(f"/orders/{order.number}/works/").content.decode()
    refused = post(client, order, "decide", {**FACTS, "obstacles": "true", "override": "true"})
    assert refused.status_code == 400 and "改变系统判定须填写理由" in refused.content.decode()
    done = post(client, order, "decide", {**FACTS, "obstacles": "true", "override": "true",
                                          "override_reason": "障碍物已迁移"})  # fmt: skip
    assert done.status_code == 302
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert "管理人员已调整判定（列入规范性检查）：障碍物已迁移" in page
    events = client.get(f"/orders/{order.number}/").content.decode()
    assert "管理人员调整判定：障碍物已迁移" in events


def test_consultations_and_the_approval_on_the_page(client, cast):
    order = planned(cast, "hv10_dual")
    decide(order, cast.project_manager, "2026-11-02 11:30", voltage_kv=35)
    login(client, cast.project_manager, cast)
    assert (
        post(
            client, order, "consult", {"owner_kind": "heating", "owner_name": "热力公司", "request": "核实"}
        ).status_code
        == 302
    )
    c = Consultation.objects.get(order=order)
    assert (
        post(
            client, order, "consult_answer", {"answer": "有热力管", "conflicts": "交叉\n净距不足"}, pk=c.pk
        ).status_code
        == 302
    )
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert page.count("管线冲突未解决：热力公司") == 2 and "行政审批未提交" in page
    assert post(client, order, "submit", {"authorities": "住建局、园林局"}).status_code == 302
    answer = post(client, order, "answer", {"authority": "住建局", "verdict": "documents_missing", "note": "缺图纸",
                                            "suspend": "on"})  # fmt: skip
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.status == "suspended"
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert "住建局：需补正材料（缺图纸）" in page
    login(client, cast.west_project_manager, cast)
    assert client.get(f"/orders/{order.number}/works/").status_code == 404  # out of scope


def test_the_criteria_read_in_english_with_the_switch(client, cast):
    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30", excavation_m=620)
    login(client, cast.project_manager, cast)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert "at most 500 m: not met (620 m &gt; 500 m)" in page and "Road and green-belt excavation" in page
    assert "Limit 3 working days" in page


def test_a_reason_is_asked_only_where_it_is_kept(client, cast):
    """The submission and the consultations keep their time but no back-dating reason: their forms do not ask
    for one (a page offers only what has an effect); the decision, the filing and the answers do."""
    import re

    order = planned(cast, "hv10_dual")
    decide(order, cast.project_manager, "2026-11-02 11:30", voltage_kv=35)
    login(client, cast.project_manager, cast)
    page = client.get(f"/orders/{order.number}/works/").content.decode()
    assert 'name="decide-reason"' in page and 'name="decide-occurred_at"' in page
    for key in ("submit", "consult"):
        form = re.search(rf'<form[^>]*id="form-{key}".*?</form>', page, re.S).group(0)
        assert f'name="{key}-occurred_at"' in form and f'name="{key}-reason"' not in form
        assert "补录时间 + 原因" not in form and "需填写原因" not in form
