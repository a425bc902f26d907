"""Demo data of the service system (``srdi demo``): commissioners with profiles, 科技镇长团
contacts, assignments (part of the titled enterprises, the rest left for ``srdi assign``),
一企一策 plans, requests in every state (some overdue) and visits. Synthetic and marked so."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.auth import get_user_model
from django.utils import timezone

from srdi.accounts.roles import Department, Role
from srdi.core import demo
from srdi.registry.models import Region

from . import config, selectors, services, workdays
from .models import (
    AssignmentEvent,
    CommissionerProfile,
    Contact,
    PlanItem,
    RequestEvent,
    ServicePlan,
    ServiceRequest,
    Visit,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌"
TOPICS = ["研发投入与研发机构建设", "融资需求与银企对接", "人才招引与用工", "市场开拓与展会",
          "数字化改造", "质量品牌与标准", "称号申报辅导", "用地与厂房扩建"]  # fmt: skip
DESCRIPTIONS = {
    "funding": "企业申报智能化改造项目，询问奖补资金拨付进度及所需材料。",
    "land": "企业计划扩建二期厂房，需协调新增工业用地指标。",
    "labour": "企业招聘数控技工困难，希望对接职业院校定向培养。",
    "finance": "企业需流动资金贷款约 800 万元，希望对接知识产权质押贷款。",
    "technology": "企业需要高校团队协助解决精密加工热变形问题。",
    "approval": "企业技改项目备案，希望加快环评与能评审批。",
    "market": "企业希望参加中国国际中小企业博览会，了解展位补贴。",
    "other": "企业咨询专精特新称号复核的时间安排与材料要求。",
}


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _commissioners(ctx, titled: int) -> list:
    User = get_user_model()
    regions = list(Region.objects.filter(enterprises__isnull=False).distinct().order_by("pk"))
    n = max(int(config.targets()["commissioners_min"]) + 2, math.ceil(titled / 2))
    cap = max(6, math.ceil(2.5 * titled / n))
    depts = [Department.GXJ, Department.KJJ, Department.SCJGJ, Department.JRJ]
    out = []
    for i in range(n):
        username = f"zy{i + 1:03d}"
        u, created = User.objects.get_or_create(
            username=username, defaults={"role": Role.COMMISSIONER, "display_name": _name(ctx.rng)}
        )
        if created:
            u.set_unusable_password()
            u.save(update_fields=["password"])
        region = regions[i % len(regions)] if regions and i % 5 else None
        p, _c = CommissionerProfile.objects.get_or_create(
            user=u,
            defaults={
                "department": "" if region else depts[i % len(depts)],
                "region": region,
                "industries": sorted(ctx.rng.sample(["C34", "C35", "C38", "C39", "C26", "C29",
                                                     "C17", "C36", "C33", "C30"], 3)),
                "capacity": cap,
                "phone": f"0512-5{ctx.rng.randrange(1000000, 9999999)}",
                "is_synthetic": True,
            },
        )  # fmt: skip
        out.append(u)
    demo_user = User.objects.filter(username="commissioner", role=Role.COMMISSIONER).first()
    if demo_user:
        ent = demo_user.assigned_enterprises.first()
        CommissionerProfile.objects.get_or_create(
            user=demo_user,
            defaults={"region": ent.region if ent else None, "capacity": max(cap, 10),
                      "industries": [], "is_synthetic": True},
        )  # fmt: skip
        out.append(demo_user)
    return out


def _departments() -> None:
    User = get_user_model()
    for code, label in Department.choices:
        u, created = User.objects.get_or_create(
            username=f"dept_{code}",
            defaults={"role": Role.DEPARTMENT, "department": code, "display_name": str(label)},
        )
        if created:
            u.set_unusable_password()
            u.save(update_fields=["password"])


def _assign_some(ctx, comms, titled) -> int:
    """Assign about 60 % of the titled enterprises, same 板块 first, within capacity."""
    caps = {p.user_id: p for p in CommissionerProfile.objects.filter(user__in=comms)}
    load = {u.pk: u.assigned_enterprises.count() for u in comms}
    n = 0
    for e in titled:
        if e.commissioners.exists() or ctx.rng.random() > 0.6:
            continue
        same = [u for u in comms if caps[u.pk].region_id == e.region_id]
        for u in same + comms:
            if load[u.pk] < caps[u.pk].capacity - 1:
                e.commissioners.add(u)
                load[u.pk] += 1
                AssignmentEvent.objects.create(enterprise=e, commissioner=u, action="assign",
                                               reason="演示数据：按板块指派")  # fmt: skip
                n += 1
                break
    return n


def _request(ctx, e, filer, state: str, filed_on: dt.date, cat: str) -> ServiceRequest:
    S = ServiceRequest.State
    accept_due, close_due = services.deadlines(filed_on, cat)
    r = ServiceRequest.objects.create(
        enterprise=e, category=cat, title=DESCRIPTIONS[cat][:30], description=DESCRIPTIONS[cat],
        department=config.route(cat)["department"], state=S.PENDING, filed_by=filer,
        filed_at=timezone.make_aware(dt.datetime.combine(filed_on, dt.time(9, 30))),
        filed_on=filed_on, accept_due=accept_due, close_due=close_due, source="demo",
        is_synthetic=True,
    )  # fmt: skip
    RequestEvent.objects.create(request=r, action="file", to_state=S.PENDING, actor=filer,
                                department=r.department, note="提交诉求")  # fmt: skip
    if state == S.PENDING:
        return r
    if state == S.RETURNED:
        r.state = S.RETURNED
        r.save(update_fields=["state"])
        RequestEvent.objects.create(request=r, action="send_back", from_state=S.PENDING,
                                    to_state=S.RETURNED, note="请补充项目备案材料后重新提交")  # fmt: skip
        return r
    late = ctx.rng.random() < 0.25
    r.accepted_on = workdays.add(filed_on, 3 if late else ctx.rng.choice((1, 2)))
    r.state = S.IN_PROGRESS
    RequestEvent.objects.create(request=r, action="accept", from_state=S.PENDING,
                                to_state=S.IN_PROGRESS, note="已受理")  # fmt: skip
    if state in (S.CLOSED, S.RATED) and r.accepted_on < ctx.today:
        r.closed_on = min(ctx.today, workdays.add(filed_on, ctx.rng.randint(4, 18)))
        r.state = S.CLOSED
        r.result = "已协调相关科室办理，结果已告知企业。"
        RequestEvent.objects.create(request=r, action="close", from_state=S.IN_PROGRESS,
                                    to_state=S.CLOSED, note=r.result)  # fmt: skip
        if state == S.RATED:
            r.state = S.RATED
            r.rating = ctx.rng.choice((3, 4, 4, 5, 5, 5))
            r.rating_comment = "办理及时，感谢。" if r.rating >= 4 else "办理时间偏长。"
            RequestEvent.objects.create(request=r, action="rate", from_state=S.CLOSED,
                                        to_state=S.RATED, note=r.rating_comment)  # fmt: skip
    r.save()
    return r


@demo.step("support", order=40)
def support_demo(ctx: demo.Context) -> str:
    today = ctx.today
    titled = list(selectors.titled_enterprises(today).select_related("region").order_by("uscc"))
    again = CommissionerProfile.objects.filter(user__username="zy001").exists()
    _departments()
    comms = _commissioners(ctx, len(titled))
    assigned = _assign_some(ctx, comms, titled)
    # contacts: one 科技镇长团 member per 板块, paired with a few titled enterprises there
    for region in Region.objects.filter(enterprises__isnull=False).distinct():
        c, created = Contact.objects.get_or_create(
            name=f"{region.short_name or region.name}科技镇长团联络员",
            defaults={"kind": Contact.Kind.TECH_MAYOR, "organization": "常熟市科技镇长团",
                      "position": "副镇长（挂职）", "region": region, "is_synthetic": True},
        )  # fmt: skip
        if created:
            c.enterprises.add(*[e for e in titled if e.region_id == region.pk][:3])
    if again or ServiceRequest.objects.filter(is_synthetic=True).exists():
        return f"服务体系：服务专员 {len(comms)} 名，本次新指派 {assigned} 家（诉求等已存在）"
    S = ServiceRequest.State
    served = [e for e in titled if e.commissioners.exists()]
    states = [S.PENDING, S.IN_PROGRESS, S.CLOSED, S.RATED, S.RATED, S.RETURNED, S.IN_PROGRESS]
    cats = list(config.categories())
    n_req = n_visit = n_item = 0
    for k, e in enumerate(served):
        filer = e.commissioners.first()
        for j in range(ctx.rng.randint(1, 3)):
            state = states[(k + j) % len(states)]
            back = (
                ctx.rng.randint(0, 40)
                if state in (S.PENDING, S.IN_PROGRESS)
                else ctx.rng.randint(20, 150)
            )
            filed = today - dt.timedelta(days=back)
            _request(ctx, e, filer, state, filed, cats[(k * 3 + j) % len(cats)])
            n_req += 1
        for _v in range(ctx.rng.randint(1, 2)):
            Visit.objects.create(
                enterprise=e, by=filer, visited_on=today - dt.timedelta(days=ctx.rng.randint(1, 120)),
                participants=f"{filer}、企业总经理、{e.region.name if e.region_id else ''}经发局",
                topics=ctx.rng.choice(TOPICS), findings="企业研发投入占比接近标准线，需关注年度数据报送。",
                is_synthetic=True,
            )  # fmt: skip
            n_visit += 1
        if k < 60:
            plan, _c = ServicePlan.objects.get_or_create(
                enterprise=e, defaults={"summary": "围绕争创更高梯度称号，补齐研发与质量短板。"}
            )
            for a, area in enumerate(config.areas()[: ctx.rng.randint(3, 6)]):
                status = ("accepted", "in_progress", "done", "proposed", "dropped")[(k + a) % 5]
                PlanItem.objects.create(
                    plan=plan, area=area["code"], title=f"{area['label']}：" + {
                        "innovation": "研发费用占比提升至 3% 以上", "finance": "对接知识产权质押贷款",
                        "talent": "引进研发人员 3 名", "market": "参加国际中小企业博览会",
                        "quality": "取得 ISO9001 认证", "digital": "完成关键工序数控化改造",
                    }[area["code"]], owner=filer, due=today + dt.timedelta(days=30 * (a - 1)),
                    status=status, origin="manual",
                    evidence="已提交佐证材料" if status == "done" else "",
                )  # fmt: skip
                n_item += 1
    return (
        f"服务体系：服务专员 {len(comms)} 名，指派 {assigned} 家，诉求 {n_req} 件，"
        f"走访 {n_visit} 次，一企一策事项 {n_item} 项"
    )
