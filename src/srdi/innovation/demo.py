"""Demo data of innovation (synthetic): university partner users, their teams and capabilities
(the labelled set in data/labelled/), enterprises' needs, matches in every docking state,
产学研 projects, 科技副总 and a 揭榜挂帅 list. Idempotent; seeded."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from srdi.core import demo

from .matching.lexicon import DATA_DIR

LABELLED = DATA_DIR / "labelled"
DEMO_UNIVERSITIES = {
    "南京大学": "univ_nju",
    "苏州大学": "univ_suda",
    "常熟理工学院": "univ_cslg",
    "东南大学": "univ_seu",
    "江南大学": "univ_jiangnan",
}
PERSONS = (
    "王建国 李晓明 张伟 刘洋 陈静 杨帆 赵磊 黄磊 周敏 吴强 徐丽 孙浩 马超 朱琳 胡斌 郭涛".split()
)


def _university_users() -> None:
    from srdi.accounts.models import User
    from srdi.accounts.roles import PartnerKind, Role

    for org, username in DEMO_UNIVERSITIES.items():
        u, created = User.objects.get_or_create(
            username=username,
            defaults={"role": Role.PARTNER, "partner_kind": PartnerKind.UNIVERSITY,
                      "organization": org, "display_name": f"{org}科技处（演示）"},
        )  # fmt: skip
        if created:
            u.set_unusable_password()
            u.save()


@demo.step("innovation", order=60)
def innovation_demo(ctx: demo.Context) -> str | None:
    from .models import (
        Application,
        Capability,
        Challenge,
        ChallengeItem,
        Match,
        MatchEvent,
        Milestone,
        Need,
        NeedShare,
        Project,
        Team,
        TechVP,
    )
    from .services import recommend_for_need

    enterprises = list(ctx.enterprises()[:400])
    if not enterprises:
        return None
    rng = ctx.rng
    _university_users()
    caps = json.loads((LABELLED / "capabilities.json").read_text(encoding="utf-8"))
    needs = json.loads((LABELLED / "needs.json").read_text(encoding="utf-8"))
    for c in caps:
        team, _ = Team.objects.get_or_create(
            institution=c["institution"], name=c.get("team") or "技术团队",
            defaults={"leader": rng.choice(PERSONS) + "教授", "is_synthetic": True},
        )  # fmt: skip
        Capability.objects.get_or_create(
            team=team, title=c["title"],
            defaults={"description": c["description"], "keywords": c.get("keywords") or [],
                      "scenarios": "\n".join(c.get("scenarios") or []),
                      "trl": rng.randint(3, 8), "is_synthetic": True,
                      "kind": Capability.Kind.ACHIEVEMENT if rng.random() < 0.3 else Capability.Kind.CAPABILITY},
        )  # fmt: skip
    created_needs = []
    for i, n in enumerate(needs):
        ent = enterprises[(i * 7) % len(enterprises)]
        conf = Need.Confidentiality.PUBLIC
        if i % 9 == 4:
            conf = Need.Confidentiality.PARTNERS
        elif i % 9 == 7:
            conf = Need.Confidentiality.NAMED
        need, created = Need.objects.get_or_create(
            enterprise=ent, title=n["title"],
            defaults={"description": n["description"], "field": n.get("field") or "",
                      "confidentiality": conf, "is_synthetic": True,
                      "budget": Decimal(rng.choice([20, 50, 80, 100, 150, 300])),
                      "deadline": ctx.today + dt.timedelta(days=rng.randint(30, 300)),
                      "created_at": _aware(ctx.today - dt.timedelta(days=rng.randint(5, 300)))},
        )  # fmt: skip
        if created and conf == Need.Confidentiality.NAMED:
            NeedShare.objects.get_or_create(need=need, institution="常熟理工学院")
        created_needs.append(need)
    if not Match.objects.filter(is_synthetic=True).exists():
        for need in created_needs:
            for m in recommend_for_need(need, top=5):
                m.is_synthetic = True
                m.save(update_fields=["is_synthetic"])
        _walk_states(ctx, created_needs, Match, MatchEvent, Project)
    _patents(ctx, enterprises[:30])
    n_proj = _history_projects(ctx, enterprises, Project)
    n_vp = _tech_vps(ctx, enterprises, TechVP)
    _challenge(ctx, created_needs, Challenge, ChallengeItem, Application, Milestone, Team)
    return (
        f"创新对接：高校院所团队 {Team.objects.count()} 个，能力 {Capability.objects.count()} 项，"
        f"技术需求 {Need.objects.count()} 项，对接 {Match.objects.count()} 项，"
        f"产学研项目 {n_proj} 项，科技副总 {n_vp} 人"
    )


def _aware(day: dt.date):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _walk_states(ctx, needs, Match, MatchEvent, Project) -> None:
    """Move the best match of most needs along: every docking state appears."""
    plan = ["docking", "signed", "researching", "concluded", "closed", "recommended"]
    for i, need in enumerate(needs):
        m = need.matches.order_by("-score").first()
        if m is None:
            continue
        target = plan[i % len(plan)]
        path = {"recommended": [], "docking": ["docking"], "signed": ["docking", "signed"],
                "researching": ["docking", "signed", "researching"],
                "concluded": ["docking", "signed", "researching", "concluded"],
                "closed": ["closed"]}[target]  # fmt: skip
        prev = m.state
        day = ctx.today - dt.timedelta(days=200 - i)
        for st in path:
            MatchEvent.objects.create(match=m, action=f"demo.{st}", from_state=prev, to_state=st,
                                      note="演示数据", at=_aware(day))  # fmt: skip
            prev = st
            day += dt.timedelta(days=20)
        if target in {"docking", "signed", "researching", "concluded"}:
            m.enterprise_verdict = m.university_verdict = Match.Verdict.ACCEPTED
        elif target == "closed":
            m.enterprise_verdict = Match.Verdict.REJECTED
        m.state = target
        m.save()
        if target in {"signed", "researching", "concluded"}:
            signed = ctx.today - dt.timedelta(days=150 - i)
            Project.objects.get_or_create(
                match=m,
                defaults={"enterprise": need.enterprise, "institution": m.capability.team.institution,
                          "team": m.capability.team, "title": need.title, "signed_on": signed,
                          "contract_amount": Decimal(ctx.rng.choice([30, 50, 80, 120, 200])),
                          "funding": Decimal(ctx.rng.choice([0, 10, 20, 30])),
                          "start_on": signed if target != "signed" else None,
                          "concluded_on": ctx.today - dt.timedelta(days=5) if target == "concluded" else None,
                          "is_synthetic": True},
            )  # fmt: skip


def _history_projects(ctx, enterprises, Project) -> int:
    """Offline-recorded projects of the plan years (the 800 target counts them)."""
    rng = ctx.rng
    unis = [
        "南京大学",
        "苏州大学",
        "常熟理工学院",
        "东南大学",
        "江南大学",
        "南京航空航天大学",
        "东华大学",
    ]
    topics = [
        "工艺优化",
        "新产品开发",
        "检测方法",
        "智能化改造",
        "材料改性",
        "结构设计",
        "节能降耗",
    ]
    per_year = {2023: 190, 2024: 230, 2025: 250, ctx.today.year: 120}
    for year, n in per_year.items():
        if year > ctx.today.year:
            continue
        for k in range(n):
            ent = enterprises[(k * 13 + year) % len(enterprises)]
            title = (
                f"{ent.main_product or '产品'}{topics[k % len(topics)]}合作（{year}-{k + 1:03d}）"
            )
            month = rng.randint(1, 12 if year < ctx.today.year else ctx.today.month)
            Project.objects.get_or_create(
                enterprise=ent, title=title,
                defaults={"institution": unis[k % len(unis)], "signed_on": dt.date(year, month, rng.randint(1, 28)),
                          "contract_amount": Decimal(rng.choice([10, 20, 30, 50, 80, 100])),
                          "is_synthetic": True},
            )  # fmt: skip
    return Project.objects.count()


def _tech_vps(ctx, enterprises, TechVP) -> int:
    rng = ctx.rng
    unis = ["南京大学", "苏州大学", "常熟理工学院", "东南大学", "江南大学"]
    for year, n in {2023: 14, 2024: 16, 2025: 15, ctx.today.year: 6}.items():
        for k in range(n):
            ent = enterprises[(k * 17 + year * 3) % len(enterprises)]
            person = PERSONS[(k + year) % len(PERSONS)] + ("" if k < len(PERSONS) else str(k))
            TechVP.objects.get_or_create(
                person=person, enterprise=ent,
                defaults={"institution": unis[k % len(unis)], "expertise": rng.choice(
                          ["材料成形", "机械设计", "电子信息", "化学工程", "纺织工程"]),
                          "term_start": dt.date(year, rng.randint(1, 6), 1),
                          "term_end": dt.date(year + 2, 12, 31), "is_synthetic": True},
            )  # fmt: skip
    return TechVP.objects.count()


def _challenge(ctx, needs, Challenge, ChallengeItem, Application, Milestone, Team) -> None:
    from django.utils import timezone

    public = [n for n in needs if n.confidentiality == "public"][:5]
    if not public:
        return
    c, created = Challenge.objects.get_or_create(
        title=f"{ctx.today.year}年度常熟市专精特新企业“揭榜挂帅”技术攻关榜单",
        defaults={"year": ctx.today.year, "status": Challenge.Status.PUBLISHED,
                  "published_at": timezone.now(), "apply_until": ctx.today + dt.timedelta(days=60),
                  "description": "面向专精特新企业关键核心技术需求，公开征集高校院所团队揭榜攻关（演示数据）。",
                  "is_synthetic": True},
    )  # fmt: skip
    if not created:
        return
    items = [ChallengeItem.objects.create(challenge=c, need=n, reward=Decimal(ctx.rng.choice([100, 200, 300])))
             for n in public]  # fmt: skip
    teams = list(Team.objects.order_by("pk")[:4])
    a1 = Application.objects.create(item=items[0], team=teams[0], proposal="采用团队已有方法开展联合攻关，12个月内完成中试验证。",
                                    amount=Decimal(150), status=Application.Status.SELECTED,
                                    decision_reason="技术路线成熟，前期成果与需求契合度高。",
                                    decided_at=timezone.now(), is_synthetic=True)  # fmt: skip
    Application.objects.create(item=items[0], team=teams[1], proposal="以理论建模为主，分阶段验证。",
                               amount=Decimal(120), status=Application.Status.NOT_SELECTED,
                               decision_reason="缺少中试条件。", decided_at=timezone.now(), is_synthetic=True)  # fmt: skip
    if len(items) > 1:
        Application.objects.create(item=items[1], team=teams[2], proposal="联合企业共建试验线。",
                                   amount=Decimal(200), is_synthetic=True)  # fmt: skip
    Milestone.objects.create(application=a1, title="完成方案设计与小试", due_on=ctx.today + dt.timedelta(days=90),
                             tranche=Decimal(50), done_on=ctx.today - dt.timedelta(days=3))  # fmt: skip
    Milestone.objects.create(application=a1, title="完成中试与企业验证", due_on=ctx.today + dt.timedelta(days=270),
                             tranche=Decimal(100))  # fmt: skip
    Challenge.objects.get_or_create(
        title=f"{ctx.today.year + 1}年度揭榜挂帅榜单（草稿）",
        defaults={"year": ctx.today.year + 1, "is_synthetic": True},
    )


def _patents(ctx, enterprises) -> None:
    from srdi.registry.models import IPAsset

    from .patents import ip_class_of, recompute_ip_counts

    kinds = [
        "invention_patent",
        "invention_patent",
        "utility_model",
        "utility_model",
        "design",
        "software",
    ]
    for i, e in enumerate(enterprises):
        for k in range(2 + i % 4):
            kind = kinds[(i + k) % len(kinds)]
            status = "applying" if (i + k) % 5 == 0 else "granted"
            flags = ["strategic"] if kind == "invention_patent" and k % 2 == 0 else []
            IPAsset.objects.get_or_create(
                enterprise=e, number=f"ZL2024{i:03d}{k:04d}",
                defaults={"kind": kind, "status": status, "ip_class": ip_class_of(kind),
                          "title": f"{e.main_product or '产品'}相关{['装置', '方法', '结构', '系统'][k % 4]}",
                          "product": e.main_product or "", "high_value_flags": flags,
                          "high_value": bool(flags), "applied": k % 3 != 2,
                          "granted": None if status == "applying" else dt.date(2020 + k, 6, 1)},
            )  # fmt: skip
        recompute_ip_counts(e)
