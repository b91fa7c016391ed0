"""The reserve library's writes (REQUIREMENTS R5; notice §1 ¶4: 纳入储备库管理，做好项目跟踪服务).

Every write checks the actor's right (`reserve.manage`) and reads the project through `restrict()`, so a
project outside the actor's scope is not found; each change appends its `ProjectEvent` in the same
transaction.

- `project_create`: staff entry and each row of an Excel import (`importer`).
- `project_from_push`: the investment supervision platform's push (called by `intake.services` in the
  transaction that stores the push, so a repeated push, idempotent by its application id, makes nothing).
  A push carrying the platform's project code (`project_code`) of a project already in the library updates
  it instead of adding a second one.
- `project_edit`, `stage_set`, `follow_up_add`, `work_add`, `work_update`, `project_place`.
- `order_link`: the customer applied (through any channel): the project is linked to the order, moves to
  `applied`, and the order page shows its history; `match_dismiss` sets a wrong proposal aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.accounts.models import ServiceArea
from yekuo.accounts.permissions import require
from yekuo.accounts.scope import in_scope, restrict
from yekuo.accounts.selectors import propose_service_area
from yekuo.common.errors import Conflict, Forbidden, InvalidInput
from yekuo.intake.routing import proposed_area
from yekuo.orders.models import WorkOrder
from yekuo.orders.validation import FieldErrors, clean_text, normalize_phone, phone_ok, uscc_ok
from yekuo.reserve.models import (
    OPEN_STAGES,
    FollowUp,
    LoadUnit,
    OrderMatch,
    Project,
    ProjectEvent,
    ReserveVoltage,
    Source,
    Stage,
    SupportingWork,
)

TEXTS = {"name": 200, "investor_name": 100, "site_address": 200}
MAX_LOAD = Decimal("999999999.9")


@dataclass
class ProjectValues:
    name: str
    investor_name: str
    investor_code: str
    contact_phone: str
    site_address: str
    expected_load: Decimal | None
    load_unit: str
    voltage: str
    expected_date: date | None


def validate_project(*, name, investor_name, site_address, investor_code="", contact_phone="", expected_load=None,
                     load_unit=LoadUnit.KVA, voltage="", expected_date=None) -> ProjectValues:  # fmt: skip
    """A project's data, cleaned, or FieldErrors naming every field at fault (the order's rules, O8: texts,
    the credit code's check character, the phone)."""
    errors: dict[str, list[str]] = {}
    given = {"name": name, "investor_name": investor_name, "site_address": site_address}
    texts = {}
    for field, limit in TEXTS.items():
        try:
            texts[field] = clean_text(given[field], field=field)
        except InvalidInput as error:
            errors.setdefault(field, []).append(error.message)
            continue
        if not texts[field]:
            errors.setdefault(field, []).append(_("必填"))
        elif len(texts[field]) > limit:
            errors.setdefault(field, []).append(_("最多 %(limit)s 个字符") % {"limit": limit})
    code = str(investor_code or "").strip().upper()
    if code and not uscc_ok(code):
        errors.setdefault("investor_code", []).append(_("请填写18位统一社会信用代码（校验位须正确）"))
    phone = normalize_phone(str(contact_phone or "").strip())
    if phone and not phone_ok(phone):
        errors.setdefault("contact_phone", []).append(_("请填写11位手机号码，或带区号的固定电话"))
    load = None
    if expected_load not in (None, ""):
        try:
            load = Decimal(str(expected_load)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors.setdefault("expected_load", []).append(_("请填写数字"))
        else:
            if not (0 < load <= MAX_LOAD):
                errors.setdefault("expected_load", []).append(_("预计负荷须大于0"))
    unit = load_unit or LoadUnit.KVA
    if unit not in LoadUnit.values:
        errors.setdefault("load_unit", []).append(_("负荷单位为 kW 或 kVA"))
    voltage = voltage or ""
    if voltage and voltage not in ReserveVoltage.values:
        errors.setdefault("voltage", []).append(
            _("电压等级为 %(choices)s 之一") % {"choices": "、".join(ReserveVoltage.values)}
        )
    if expected_date not in (None, "") and not isinstance(expected_date, date):
        errors.setdefault("expected_date", []).append(_("请填写日期，如 2027-03-01"))
        expected_date = None
    if isinstance(expected_date, datetime):
        expected_date = expected_date.date()
    if errors:
        raise FieldErrors(errors)
    return ProjectValues(
        name=texts["name"], investor_name=texts["investor_name"], investor_code=code, contact_phone=phone,
        site_address=texts["site_address"], expected_load=load, load_unit=unit, voltage=voltage,
        expected_date=expected_date or None,
    )  # fmt: skip


def _place(company, address: str, *, actor=None, service_area=None, area_code: str = ""):
    """(branch, service area) of a project: the area chosen, else the one its address maps to (R3's rule), in
    the actor's branch for branch-scope staff. None, None when nothing maps: a company-scope person places it."""
    if service_area is not None:
        return service_area.branch, service_area
    if actor is not None and actor.branch_id:
        return actor.branch, propose_service_area(address, areas=ServiceArea.objects.filter(branch=actor.branch))
    area = proposed_area(company, address, area_code)
    return (area.branch if area else None), area


def _event(project, kind, actor, at=None, note="", **payload) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, kind=kind, actor=actor, at=at or timezone.now(),
                                       note=note, payload=payload)  # fmt: skip


def _company_of(actor, company=None):
    company = company or getattr(actor, "company", None)
    if company is None:
        raise Forbidden(_("您不属于任何供电公司，不能录入储备项目"))
    return company


def project_create(*, actor, source: str = Source.STAFF, service_area: ServiceArea | None = None,
                   identified_at: datetime | None = None, company=None, **fields) -> Project:  # fmt: skip
    """A project entered by staff (or one row of an import); R5."""
    require(actor, "reserve.manage")
    values = validate_project(**fields)
    company = _company_of(actor, company)
    if service_area is not None and (service_area.branch.company_id != company.pk
                                     or not in_scope(actor, service_area.branch)):  # fmt: skip
        raise FieldErrors({"service_area": [_("营业区不在您的管辖范围内")]})
    branch, area = _place(company, values.site_address, actor=actor, service_area=service_area)
    now = timezone.now()
    with transaction.atomic():
        project = Project.objects.create(
            company=company, branch=branch, service_area=area, source=source, created_by=actor,
            stage=Stage.IDENTIFIED, stage_changed_at=now, identified_at=identified_at or now, **values.__dict__,
        )  # fmt: skip
        _event(project, ProjectEvent.Kind.CREATED, actor, at=now, source=source)
    return project


# Fields a later push of the same platform project may change.
PUSHED_FIELDS = ("name", "investor_name", "investor_code", "contact_phone", "site_address", "expected_load",
                 "load_unit", "voltage", "expected_date")  # fmt: skip


def project_from_push(application, data: dict) -> Project:
    """The project of a push from the investment supervision platform (R5), inside the caller's transaction.

    `data` is the push as `intake.payload.ReservePushSerializer` validated it. A push with a `project_code`
    already in the library updates that project (and says what changed in its history); any other push adds
    a project. The investor's credit code and phone are checked like an order's (O8).
    """
    platform = application.platform
    customer, site = data["customer"], data["site"]
    try:
        values = validate_project(
            name=data["project_name"], investor_name=customer["name"], investor_code=customer.get("id_number", ""),
            contact_phone=customer.get("phone", ""), site_address=site["address"],
            expected_load=data.get("capacity_kva"), load_unit=LoadUnit.KVA, voltage=data.get("voltage", ""),
            expected_date=data.get("expected_date"),
        )  # fmt: skip
    except FieldErrors as error:
        names = {
            "name": "project_name",
            "investor_name": "customer.name",
            "investor_code": "customer.id_number",
            "contact_phone": "customer.phone",
            "site_address": "site.address",
            "expected_load": "capacity_kva",
        }
        raise FieldErrors({names.get(k, k): v for k, v in error.errors.items()}) from None
    code = data.get("project_code", "")
    actor = platform.account
    found = (
        Project.objects.select_for_update().filter(company=platform.company, platform_code=code).first()
        if code else None
    )  # fmt: skip
    if found is None:
        branch, area = _place(platform.company, values.site_address, area_code=site.get("area_code", ""))
        project = Project.objects.create(
            company=platform.company, branch=branch, service_area=area, source=Source.PLATFORM,
            platform_code=code, application=application, created_by=actor, stage=Stage.IDENTIFIED,
            stage_changed_at=application.received_at, identified_at=data["submitted_at"], **values.__dict__,
        )  # fmt: skip
        _event(project, ProjectEvent.Kind.CREATED, actor, at=application.received_at, source=Source.PLATFORM,
               application=application.external_id)  # fmt: skip
        return project
    changed = {}
    for field in PUSHED_FIELDS:
        new = getattr(values, field)
        if new in ("", None) and field in ("investor_code", "contact_phone", "expected_load", "voltage",
                                           "expected_date"):  # fmt: skip
            continue  # a push that leaves a field out does not erase what staff know
        if getattr(found, field) != new:
            changed[field] = [_plain(getattr(found, field)), _plain(new)]
            setattr(found, field, new)
    if "site_address" in changed and found.is_open:
        found.branch, found.service_area = _place(platform.company, found.site_address,
                                                  area_code=site.get("area_code", ""))  # fmt: skip
    found.application = application
    found.save()
    _event(found, ProjectEvent.Kind.UPDATED, actor, at=application.received_at, source=Source.PLATFORM,
           application=application.external_id, changed=changed)  # fmt: skip
    return found


def _plain(value):
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value


# ------------------------------------------------------------------------------------------ following up
def _mine(actor, pk, *, lock: bool = True) -> Project:
    """The project, locked, if it is in the actor's scope for `reserve.manage`."""
    require(actor, "reserve.manage")
    pk = getattr(pk, "pk", pk)
    queryset = Project.objects.select_for_update(of=("self",)) if lock else Project.objects.all()
    project = restrict(queryset, actor, "reserve.manage").filter(pk=pk).first()
    if project is None:
        raise Forbidden(_("没有这个储备项目，或不在您的管辖范围内"))
    return project


def stage_set(project, *, actor, stage: str, reason: str = "", note: str = "") -> Project:
    """Move the project to an open stage, or drop it with a reason (R5). `applied` comes with the order."""
    if stage == Stage.APPLIED:
        raise InvalidInput(_("关联客户的报装工单后，项目自动转为“已报装”"), field="stage")
    if stage not in OPEN_STAGES and stage != Stage.DROPPED:
        raise InvalidInput(_("未知的阶段"), field="stage")
    reason = clean_text(reason, field="reason", multiline=True)
    note = clean_text(note, field="note", multiline=True)
    if stage == Stage.DROPPED and not reason:
        raise InvalidInput(_("放弃项目须写明原因"), field="reason")
    with transaction.atomic():
        project = _mine(actor, project)
        if project.stage == Stage.APPLIED:
            raise Conflict(_("项目已转为业扩工单 %(number)s") % {"number": project.order.number})
        if project.stage == stage:
            raise Conflict(_("项目已处于该阶段"))
        before, now = project.stage, timezone.now()
        project.stage, project.stage_changed_at = stage, now
        project.drop_reason = reason if stage == Stage.DROPPED else ""
        project.save(update_fields=["stage", "stage_changed_at", "drop_reason", "updated_at"])
        _event(project, ProjectEvent.Kind.STAGE, actor, at=now, note=reason or note, before=before, after=stage)
    return project


def follow_up_add(project, *, actor, content: str, method: str = FollowUp.Method.VISIT, at: datetime | None = None,
                  next_step: str = "") -> FollowUp:  # fmt: skip
    """A contact with the investor (who, when, how, what)."""
    content = clean_text(content, field="content", multiline=True)
    next_step = clean_text(next_step, field="next_step")
    if not content:
        raise InvalidInput(_("请填写跟踪内容"), field="content")
    if method not in FollowUp.Method.values:
        raise InvalidInput(_("未知的跟踪方式"), field="method")
    now = timezone.now()
    at = at or now
    if at > now:
        raise InvalidInput(_("跟踪时间不能晚于现在"), field="at")
    with transaction.atomic():
        project = _mine(actor, project)
        follow_up = FollowUp.objects.create(project=project, at=at, by=actor, method=method, content=content,
                                            next_step=next_step[:200])  # fmt: skip
        _event(project, ProjectEvent.Kind.FOLLOW_UP, actor, at=at, note=content, method=method,
               follow_up=follow_up.pk)  # fmt: skip
        Project.objects.filter(pk=project.pk).update(updated_at=now)
    return follow_up


def work_add(project, *, actor, kind: str, description: str, planned_ready: date | None = None,
             readiness: str = SupportingWork.Readiness.PLANNED) -> SupportingWork:  # fmt: skip
    """A supporting work planned ahead for the project (notice §1 ¶4: 开展配套工程规划、实施)."""
    description = clean_text(description, field="description")
    if not description:
        raise InvalidInput(_("请填写工程内容"), field="description")
    if kind not in SupportingWork.Kind.values:
        raise InvalidInput(_("未知的工程类别"), field="kind")
    if readiness not in SupportingWork.Readiness.values:
        raise InvalidInput(_("未知的准备情况"), field="readiness")
    with transaction.atomic():
        project = _mine(actor, project)
        work = SupportingWork.objects.create(
            project=project, kind=kind, description=description[:200], planned_ready=planned_ready,
            readiness=readiness, updated_by=actor,
        )  # fmt: skip
        _event(project, ProjectEvent.Kind.WORKS, actor, work=work.pk, description=work.description,
               readiness=readiness, planned_ready=str(planned_ready or ""))  # fmt: skip
    return work


def work_update(work, *, actor, readiness: str, planned_ready: date | None = None) -> SupportingWork:
    """A planned work's readiness (and its planned date) changed."""
    if readiness not in SupportingWork.Readiness.values:
        raise InvalidInput(_("未知的准备情况"), field="readiness")
    pk = getattr(work, "pk", work)
    with transaction.atomic():
        work = restrict(SupportingWork.objects.select_related("project"), actor, "reserve.manage").filter(pk=pk).first()
        if work is None:
            raise Forbidden(_("没有这项配套工程，或不在您的管辖范围内"))
        project = _mine(actor, work.project_id)
        work.readiness, work.planned_ready, work.updated_by = readiness, planned_ready, actor
        work.save(update_fields=["readiness", "planned_ready", "updated_by", "updated_at"])
        _event(project, ProjectEvent.Kind.WORKS, actor, work=work.pk, description=work.description,
               readiness=readiness, planned_ready=str(planned_ready or ""))  # fmt: skip
    return work


EDITED_FIELDS = ("name", "investor_name", "investor_code", "contact_phone", "site_address", "expected_load",
                 "load_unit", "voltage", "expected_date")  # fmt: skip


def project_edit(project, *, actor, service_area: ServiceArea | None = None, **fields) -> Project:
    """Correct or complete a project's data (e.g. the credit code, which later orders are matched by); the
    history records what changed. A new address moves an open project to the area it maps to."""
    values = validate_project(**fields)
    with transaction.atomic():
        project = _mine(actor, project)
        if service_area is not None and (service_area.branch.company_id != project.company_id
                                         or not in_scope(actor, service_area.branch)):  # fmt: skip
            raise FieldErrors({"service_area": [_("营业区不在您的管辖范围内")]})
        changed = {}
        for field in EDITED_FIELDS:
            new = getattr(values, field)
            if getattr(project, field) != new:
                changed[field] = [_plain(getattr(project, field)), _plain(new)]
                setattr(project, field, new)
        if service_area is not None or "site_address" in changed:
            branch, area = _place(project.company, project.site_address, actor=actor, service_area=service_area)
            if area is not None and area.pk != project.service_area_id:
                before = project.service_area.code if project.service_area else ""
                changed["service_area"] = [before, area.code]
                project.branch, project.service_area = branch, area
        if not changed:
            return project
        project.save()
        _event(project, ProjectEvent.Kind.UPDATED, actor, changed=changed)
    return project


def project_place(project, *, actor, service_area: ServiceArea) -> Project:
    """Set the project's service area (hence its branch), e.g. a push whose address mapped to none."""
    if not in_scope(actor, service_area.branch):
        raise Forbidden(_("营业区不在您的管辖范围内"))
    with transaction.atomic():
        project = _mine(actor, project)
        if service_area.branch.company_id != project.company_id:
            raise Forbidden(_("营业区不在您的管辖范围内"))
        before = project.service_area.code if project.service_area else ""
        project.service_area, project.branch = service_area, service_area.branch
        project.save(update_fields=["service_area", "branch", "updated_at"])
        _event(project, ProjectEvent.Kind.UPDATED, actor, changed={"service_area": [before, service_area.code]})
    return project


# ------------------------------------------------------------------------------------------ conversion
def order_link(project, order: WorkOrder | str, *, actor, via_match: bool = False) -> Project:
    """The customer applied: the project becomes the order (R5). Both must be in the actor's scope; an order
    already linked to a project, or a project already linked, is refused."""
    with transaction.atomic():
        project = _mine(actor, project)
        orders = restrict(WorkOrder.objects.select_related("branch"), actor, "order.view")
        found = orders.filter(number=order).first() if isinstance(order, str) else orders.filter(pk=order.pk).first()
        if found is None:
            raise InvalidInput(_("没有这个工单，或不在您的管辖范围内"), field="order")
        order = found
        if order.branch.company_id != project.company_id:
            raise InvalidInput(_("工单不属于本公司"), field="order")
        if project.order_id is not None:
            raise Conflict(_("项目已关联业扩工单 %(number)s") % {"number": project.order.number})
        if Project.objects.filter(order=order).exists():
            raise Conflict(_("工单 %(number)s 已关联其他储备项目") % {"number": order.number}, field="order")
        before, now = project.stage, timezone.now()
        project.order, project.applied_at = order, order.created_at
        project.stage, project.stage_changed_at, project.drop_reason = Stage.APPLIED, now, ""
        project.save(update_fields=["order", "applied_at", "stage", "stage_changed_at", "drop_reason", "updated_at"])
        OrderMatch.objects.update_or_create(
            project=project, order=order,
            defaults={"state": OrderMatch.State.LINKED, "decided_at": now, "decided_by": actor},
        )  # fmt: skip
        _event(project, ProjectEvent.Kind.LINKED, actor, at=now, order=order.number,
               how="proposal" if via_match else "hand")  # fmt: skip
        _event(project, ProjectEvent.Kind.STAGE, actor, at=now, before=before, after=Stage.APPLIED)
    return project


def match_link(match, *, actor) -> Project:
    """Accept a proposed order (the investor's credit code and the site matched)."""
    match = _proposal(match, actor)
    return order_link(match.project_id, match.order, actor=actor, via_match=True)


def match_dismiss(match, *, actor) -> OrderMatch:
    """Set a wrong proposal aside (another project of the same investor, say)."""
    with transaction.atomic():
        match = _proposal(match, actor)
        project = _mine(actor, match.project_id)
        match.state, match.decided_at, match.decided_by = OrderMatch.State.DISMISSED, timezone.now(), actor
        match.save(update_fields=["state", "decided_at", "decided_by"])
        _event(project, ProjectEvent.Kind.DISMISSED, actor, order=match.order.number)
    return match


def _proposal(match, actor) -> OrderMatch:
    require(actor, "reserve.manage")
    pk = getattr(match, "pk", match)
    found = (
        restrict(OrderMatch.objects.select_related("order", "project"), actor, "reserve.manage")
        .filter(pk=pk, state=OrderMatch.State.PROPOSED).first()
    )  # fmt: skip
    if found is None:
        raise Forbidden(_("没有这条待确认的匹配，或不在您的管辖范围内"))
    return found
