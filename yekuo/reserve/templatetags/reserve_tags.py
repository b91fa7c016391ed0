"""The reserve library's labels and the order page's card (R5)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from yekuo.accounts.permissions import can
from yekuo.reserve import selectors
from yekuo.reserve.models import FollowUp, Project, ProjectEvent, Stage, SupportingWork

register = template.Library()

COLORS = {Stage.IDENTIFIED: "secondary", Stage.CONTACTED: "info", Stage.WORKS_PLANNED: "primary",
          Stage.APPLIED: "success", Stage.DROPPED: "dark"}  # fmt: skip


@register.filter
def stage_label(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


@register.filter
def stage_color(code: str) -> str:
    return COLORS.get(code, "secondary")


@register.simple_tag
def lead(value) -> str:
    """A lead time as "median / mean days (n)", or — without any."""
    if not value.count:
        return "—"
    return _("%(median)s / %(mean)s 天（%(count)s 个）") % {"median": value.median_days, "mean": value.mean_days,
                                                       "count": value.count}  # fmt: skip


@register.filter
def describe(event: ProjectEvent) -> str:
    """One line of a project's history in the page's language."""
    p, label = event.payload, str(event.get_kind_display())
    chinese = (get_language() or "").startswith("zh")
    colon, left, right = ("：", "（", "）") if chinese else (": ", " (", ")")
    if event.kind == ProjectEvent.Kind.STAGE:
        text = f"{label}{colon}{stage_label(p.get('before', ''))} → {stage_label(p.get('after', ''))}"
    elif event.kind == ProjectEvent.Kind.FOLLOW_UP:
        method = dict(FollowUp.Method.choices).get(p.get("method"), "")
        text = f"{label}{left}{method}{right}{colon}{event.note}"
    elif event.kind == ProjectEvent.Kind.WORKS:
        readiness = dict(SupportingWork.Readiness.choices).get(p.get("readiness"), "")
        text = f"{label}{colon}{p.get('description', '')} · {readiness}"
    elif event.kind in (ProjectEvent.Kind.PROPOSED, ProjectEvent.Kind.LINKED, ProjectEvent.Kind.DISMISSED):
        text = f"{label}{colon}{p.get('order', '')}"
    elif event.kind == ProjectEvent.Kind.UPDATED:
        text = f"{label}{colon}{('、' if chinese else ', ').join(p.get('changed', {})) or '—'}"
    else:
        text = label
    if event.note and event.kind == ProjectEvent.Kind.STAGE:
        text += f"{left}{event.note}{right}"
    return text


@register.simple_tag(takes_context=True)
def reserve_of_order(context, order) -> dict:
    """The order's reserve project and its history (shown to whoever may see the order: linking made it the
    order's history), else the projects proposed for it within the user's scope."""
    user = context["request"].user
    project = Project.objects.filter(order=order).first()
    if project is not None:
        return {"project": project, "events": list(project.events.select_related("actor")), "proposals": []}
    return {"project": None, "proposals": selectors.proposals_for_order(user, order),
            "can_manage": can(user, "reserve.manage")}  # fmt: skip
