"""The diagnosis report's 一企一策 section (registered with srdi.diagnosis.sections)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from srdi.core import formatting as fmt
from srdi.diagnosis.sections import Section, SectionContext, register

from . import config, services
from .models import PlanItem, ServicePlan

SHOWN = (PlanItem.Status.ACCEPTED, PlanItem.Status.IN_PROGRESS, PlanItem.Status.DONE)


def plan_rows(plan: ServicePlan) -> list[list[str]]:
    rows = []
    for i in plan.items.filter(status__in=SHOWN).select_related("owner").order_by("area", "due"):
        owner = str(i.owner) if i.owner_id else ""
        if i.owner_department:
            owner = "、".join(
                x for x in (owner, services.department_label(i.owner_department)) if x
            )
        rows.append([config.area_label(i.area), i.title, owner or "—",
                     fmt.date_iso(i.due) if i.due else "—", i.get_status_display()])  # fmt: skip
    return rows


COLUMNS = [gettext_lazy("服务领域"), gettext_lazy("事项"), gettext_lazy("负责人"),
           gettext_lazy("完成期限"), gettext_lazy("状态")]  # fmt: skip


class OnePlan:
    key = "support_plan"
    title = gettext_lazy("一企一策服务计划")
    order = 120

    def build(self, ctx: SectionContext) -> Section | None:
        plan = ServicePlan.objects.filter(enterprise=ctx.enterprise).first()
        if plan is None:
            return None
        rows = plan_rows(plan)
        if not rows:
            return None
        done = sum(1 for r in rows if r[4] == str(PlanItem.Status.DONE.label))
        paras = [_("按照计划二(八)“一企一策”精准提供创新、融资、人才、市场等专业服务，"
                   "本企业的服务计划共 %(n)d 项，已完成 %(d)d 项。") % {"n": len(rows), "d": done}]  # fmt: skip
        if plan.summary:
            paras.append(plan.summary)
        return Section(self.key, str(self.title), self.order, paragraphs=paras,
                       columns=[str(c) for c in COLUMNS], rows=rows)  # fmt: skip


register(OnePlan())
