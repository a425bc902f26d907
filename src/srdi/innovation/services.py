"""Every write of innovation: permission check, change, audit record, notification.

The web pages, the API and the commands all call these.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from srdi.accounts import scopes as acc
from srdi.audit.services import jsonable, record
from srdi.core.cleaning import date as _date
from srdi.core.cleaning import decimal
from srdi.core.cleaning import text as _text
from srdi.core.notifications import notify

from . import scopes
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

RECOMMEND_TOP = 10
MONEY_MAX = Decimal("99999999")  # 万元: beyond any project; a larger figure is a typing error


# ------------------------------------------------------------------------- value checks
def _money(value, label: str) -> Decimal | None:
    """An amount in 万元 (0 to 99 999 999), kept to the fen; None when empty."""
    d = decimal(value, _("%(f)s（万元）") % {"f": label}, low=Decimal(0), high=MONEY_MAX)
    return None if d is None else d.quantize(Decimal("0.01"))


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").replace(";", ",").split(",")
    out = [str(k).strip() for k in value or [] if str(k).strip()]
    if len(out) > 30 or any(len(k) > 40 for k in out):
        raise ValidationError(_("关键词最多 30 个，每个不超过 40 字。"))
    return list(dict.fromkeys(out))


def _snapshot(obj, fields) -> dict:
    return jsonable({f: getattr(obj, f) for f in fields})


# --------------------------------------------------------------------------------- needs
NEED_FIELDS = (
    "title", "description", "field", "target_params", "budget", "deadline", "confidentiality",
    "status",
)  # fmt: skip


@transaction.atomic
def save_need(user, enterprise, data: dict, need: Need | None = None) -> Need:
    """Post or edit a need (the enterprise, its commissioner, administrators); re-matched."""
    if need is not None:
        enterprise = need.enterprise
    if not scopes.may_post_need(user, enterprise):
        raise PermissionDenied(_("只有企业本身或其服务专员可以发布、修改该企业的技术需求。"))
    before = _snapshot(need, NEED_FIELDS) | {"shares": need.allowed_institutions} if need else None
    n = need or Need(enterprise=enterprise, posted_by=user)
    n.title = _text(data.get("title"), _("需求名称"), required=True, max_len=200)
    n.description = _text(data.get("description"), _("需求描述"), required=True, max_len=5000)
    n.field = _text(data.get("field"), _("领域"))
    if n.field and n.field not in dict(Need._meta.get_field("field").choices):
        raise ValidationError(_("未知的领域：%(v)s") % {"v": n.field})
    n.target_params = _text(data.get("target_params"), _("目标参数"), max_len=2000)
    n.budget = _money(data.get("budget"), _("预算"))
    n.deadline = _date(data.get("deadline"), _("截止日期"))
    conf = data.get("confidentiality") or Need.Confidentiality.PUBLIC
    if conf not in Need.Confidentiality.values:
        raise ValidationError(_("未知的公开范围：%(v)s") % {"v": conf})
    n.confidentiality = conf
    status = data.get("status") or n.status or Need.Status.OPEN
    if status not in Need.Status.values:
        raise ValidationError(_("未知的状态：%(v)s") % {"v": status})
    n.status = status
    named = _keywords(data.get("allowed_institutions") or [])
    if conf == Need.Confidentiality.NAMED and not named:
        raise ValidationError(_("公开范围为“仅本人指定的机构”时，请至少指定一个机构。"))
    n.updated_at = timezone.now()
    n.save()
    n.shares.all().delete()
    if conf == Need.Confidentiality.NAMED:
        NeedShare.objects.bulk_create([NeedShare(need=n, institution=i) for i in named])
    after = _snapshot(n, NEED_FIELDS) | {
        "shares": named if conf == Need.Confidentiality.NAMED else []
    }
    record(actor=user, action="innovation.need.save" if need else "innovation.need.create",
           obj=n, before=before, after=after)  # fmt: skip
    if n.status == Need.Status.OPEN:
        recommend_for_need(n)
    else:
        _drop_recommendations(n, keep=set())
    return n


def institutions_allowed(need: Need) -> set[str] | None:
    """The institutions that may see `need` (None = every partner university)."""
    if need.confidentiality == Need.Confidentiality.NAMED:
        return set(need.shares.values_list("institution", flat=True))
    return None


def _feedback(direction: str = "need"):
    from .matching import Doc, Feedback

    out = []
    qs = Match.objects.exclude(enterprise_verdict="", university_verdict="").select_related(
        "need", "capability"
    )
    for m in qs:
        verdicts = {m.enterprise_verdict, m.university_verdict} - {""}
        accepted = Match.Verdict.REJECTED not in verdicts
        if direction == "need":
            q = Doc(str(m.need_id), m.need.title, m.need.description, m.need.field)
            out.append(Feedback(q, str(m.capability_id), accepted))
        else:
            c = m.capability
            q = Doc(
                str(c.pk),
                c.title,
                c.description,
                keywords=list(c.keywords or []),
                scenarios=scenario_lines(c.scenarios),
            )
            out.append(Feedback(q, str(m.need_id), accepted))
    return out


def _cap_doc(c: Capability):
    from .matching import Doc

    return Doc(str(c.pk), c.title, c.description, c.field, list(c.keywords or []),
               c.team.institution, scenario_lines(c.scenarios))  # fmt: skip


def _need_doc(n: Need):
    from .matching import Doc

    return Doc(str(n.pk), n.title, n.description + "\n" + n.target_params, n.field)


def rank_capabilities(need: Need, top: int = RECOMMEND_TOP, exclude_ids=()):
    """The best active capabilities for `need` among institutions allowed to see it."""
    from .matching import Ranker

    caps = Capability.objects.filter(active=True).select_related("team")
    allowed = institutions_allowed(need)
    if allowed is not None:
        caps = caps.filter(team__institution__in=allowed)
    caps = list(caps.exclude(pk__in=exclude_ids))
    if not caps:
        return []
    r = Ranker([_cap_doc(c) for c in caps], feedback=_feedback("need"))
    by_id = {str(c.pk): c for c in caps}
    return [(by_id[m.id], m) for m in r.rank(_need_doc(need), top)]


def rank_needs(capability: Capability, top: int = 10):
    """The other direction: open needs the capability's institution may see, best first."""
    from .matching import Ranker

    needs = list(
        Need.objects.filter(status=Need.Status.OPEN)
        .filter(scopes.need_filter_for_institution(capability.team.institution))
        .select_related("enterprise")
        .distinct()
    )
    if not needs:
        return []
    r = Ranker([_need_doc(n) for n in needs], feedback=_feedback("capability"))
    by_id = {str(n.pk): n for n in needs}
    return [(by_id[m.id], m) for m in r.rank(_cap_doc(capability), top)]


def _drop_recommendations(need: Need, keep: set[int]) -> None:
    Match.objects.filter(
        need=need, state=Match.State.RECOMMENDED, enterprise_verdict="", university_verdict=""
    ).exclude(capability_id__in=keep).delete()


@transaction.atomic
def recommend_for_need(need: Need, top: int = RECOMMEND_TOP) -> list[Match]:
    """Store the engine's best capabilities for `need` as 推荐 matches (with reasons); the
    matches someone has already acted on are kept as they are."""
    ranked = rank_capabilities(need, top)
    out, keep = [], set()
    for cap, m in ranked:
        obj, created = Match.objects.get_or_create(
            need=need, capability=cap, defaults={"score": m.score, "reasons": m.reasons}
        )
        if not created and obj.state == Match.State.RECOMMENDED:
            obj.score, obj.reasons, obj.updated_at = m.score, m.reasons, timezone.now()
            obj.save(update_fields=["score", "reasons", "updated_at"])
        if created:
            _notify_university(obj, _("新的技术需求推荐"))
        keep.add(cap.pk)
        out.append(obj)
    _drop_recommendations(need, keep)
    return out


def _university_users(institution: str):
    from srdi.accounts.models import User
    from srdi.accounts.roles import PartnerKind, Role

    return User.objects.filter(
        role=Role.PARTNER, partner_kind=PartnerKind.UNIVERSITY, organization=institution,
        is_active=True,
    )  # fmt: skip


def _enterprise_users(enterprise):
    return enterprise.users.filter(is_active=True)


def _notify_university(m: Match, title: str) -> None:
    notify(
        _university_users(m.capability.team.institution),
        kind="innovation.match",
        title=title,
        body=f"{m.need.title} ↔ {m.capability.title}",
        link=f"/innovation/matches/{m.pk}/",
        dedupe_key=f"innovation.match.{m.pk}.{m.state}",
    )


def _notify_enterprise(m: Match, title: str) -> None:
    notify(
        _enterprise_users(m.need.enterprise),
        kind="innovation.match",
        title=title,
        body=f"{m.need.title} ↔ {m.capability.title}",
        link=f"/innovation/matches/{m.pk}/",
        dedupe_key=f"innovation.match.{m.pk}.{m.state}",
        enterprise_uscc=m.need.enterprise.uscc,
    )


@transaction.atomic
def propose_match(user, capability: Capability, need: Need) -> Match:
    """A university proposes docking on a need it found (the capability → needs direction)."""
    if not (scopes.is_university(user) and capability.team.institution == user.organization):
        raise PermissionDenied(_("只能用本机构的技术能力发起对接。"))
    if not scopes.visible_needs(user).filter(pk=need.pk).exists():
        from django.http import Http404

        raise Http404(_("未找到该技术需求，或您无权查看。"))
    m, created = Match.objects.get_or_create(need=need, capability=capability)
    if not created and m.state != Match.State.RECOMMENDED:
        return m
    return give_verdict(user, m, True, note=_("高校主动发起对接"))


# ------------------------------------------------------------------------ docking (FSM)
class DockingMachine(StateMachine):
    """推荐 → 对接中 → 签约 → 在研 → 结题, or 已终止 before signing."""

    recommended = State(_("推荐"), initial=True, value=Match.State.RECOMMENDED)
    docking = State(_("对接中"), value=Match.State.DOCKING)
    signed = State(_("签约"), value=Match.State.SIGNED)
    researching = State(_("在研"), value=Match.State.RESEARCHING)
    concluded = State(_("结题"), final=True, value=Match.State.CONCLUDED)
    closed = State(_("已终止"), final=True, value=Match.State.CLOSED)

    start_docking = recommended.to(docking)
    sign = docking.to(signed)
    start_research = signed.to(researching)
    conclude = researching.to(concluded)
    close = recommended.to(closed) | docking.to(closed)


#: who may make each transition: "enterprise" (the need's enterprise or its commissioner),
#: "university" (the capability's institution), "kjj" (科技局 and administrators)
TRANSITION_ROLES = {
    "start_docking": {"enterprise", "university", "kjj"},
    "sign": {"enterprise", "kjj"},
    "start_research": {"university", "kjj"},
    "conclude": {"enterprise", "kjj"},
    "close": {"enterprise", "university", "kjj"},
}
TRANSITION_LABELS = {
    "start_docking": _("开始对接"),
    "sign": _("签约"),
    "start_research": _("开始研发"),
    "conclude": _("结题"),
    "close": _("终止对接"),
}


def sides_of(user, m: Match) -> set[str]:
    out = set()
    if scopes.is_kjj(user):
        out.add("kjj")
    if scopes.is_university(user) and m.capability.team.institution == user.organization:
        out.add("university")
    if scopes.may_post_need(user, m.need.enterprise):
        out.add("enterprise")
    return out


def allowed_transitions(user, m: Match) -> list[str]:
    sm = DockingMachine(model=m, state_field="state")
    sides = sides_of(user, m)
    return [e.id for e in sm.allowed_events if TRANSITION_ROLES.get(e.id, set()) & sides]


def _event(m: Match, user, action: str, before: str, note: str) -> None:
    MatchEvent.objects.create(
        match=m, action=action, from_state=before, to_state=m.state, actor=user, note=note
    )
    record(actor=user, action=f"innovation.dock.{action}", obj=m, object_repr=str(m)[:255],
           enterprise_uscc=m.need.enterprise.uscc, before={"state": before},
           after={"state": m.state}, note=note)  # fmt: skip


@transaction.atomic
def transition(user, m: Match, event: str, note: str = "", project: dict | None = None) -> Match:
    """Move a docking along (roles per transition; audited; refused with a Chinese message)."""
    m = (
        Match.objects.select_for_update()
        .select_related("need__enterprise", "capability__team")
        .get(pk=m.pk)
    )
    if event not in TRANSITION_ROLES:
        raise ValidationError(_("未知的操作：%(e)s") % {"e": event})
    if not TRANSITION_ROLES[event] & sides_of(user, m):
        raise PermissionDenied(_("您无权执行“%(a)s”。") % {"a": TRANSITION_LABELS[event]})
    before = m.state
    sm = DockingMachine(model=m, state_field="state")
    project_data = project or {}
    try:
        sm.send(event)
    except TransitionNotAllowed:
        raise ValidationError(
            _("当前状态为“%(s)s”，不能“%(a)s”。")
            % {"s": Match.State(before).label, "a": TRANSITION_LABELS[event]}
        ) from None
    m.updated_at = timezone.now()
    m.save(update_fields=["state", "updated_at"])
    if event == "sign":
        _project_from_match(user, m, project_data)
    elif event == "start_research" and hasattr(m, "project"):
        p = m.project
        p.start_on = p.start_on or timezone.localdate()
        p.save(update_fields=["start_on"])
    elif event == "conclude" and hasattr(m, "project"):
        p = m.project
        p.concluded_on = timezone.localdate()
        p.save(update_fields=["concluded_on"])
    _event(m, user, event, before, note)
    label = _("对接状态更新：%(s)s") % {"s": Match.State(m.state).label}
    _notify_enterprise(m, label)
    _notify_university(m, label)
    return m


def _project_from_match(user, m: Match, data: dict) -> Project:
    signed_on = _date(data.get("signed_on"), _("签约日期")) or timezone.localdate()
    p = Project.objects.create(
        match=m,
        enterprise=m.need.enterprise,
        institution=m.capability.team.institution,
        team=m.capability.team,
        title=_text(data.get("title"), _("项目名称"), max_len=200) or m.need.title,
        contract_amount=_money(data.get("contract_amount"), _("合同金额")),
        funding=_money(data.get("funding"), _("财政资助")),
        signed_on=signed_on,
        start_on=_date(data.get("start_on"), _("开始日期")),
        end_on=_date(data.get("end_on"), _("结束日期")),
    )
    record(actor=user, action="innovation.project.create", obj=p,
           enterprise_uscc=p.enterprise.uscc, after=_snapshot(p, PROJECT_FIELDS))  # fmt: skip
    return p


@transaction.atomic
def give_verdict(user, m: Match, accepted: bool, note: str = "") -> Match:
    """Accept or reject a recommendation from one side (the feedback that improves rankings):
    both sides accepting starts the docking; a rejection ends it."""
    sides = sides_of(user, m) - {"kjj"}
    if not sides:
        raise PermissionDenied(_("只有需求企业或能力所属高校可以对推荐表态。"))
    if m.state not in {Match.State.RECOMMENDED, Match.State.DOCKING}:
        raise ValidationError(_("该对接已“%(s)s”，不能再表态。") % {"s": m.get_state_display()})
    verdict = Match.Verdict.ACCEPTED if accepted else Match.Verdict.REJECTED
    before = {
        "enterprise_verdict": m.enterprise_verdict,
        "university_verdict": m.university_verdict,
    }
    if "enterprise" in sides:
        m.enterprise_verdict = verdict
    if "university" in sides:
        m.university_verdict = verdict
    m.updated_at = timezone.now()
    m.save(update_fields=["enterprise_verdict", "university_verdict", "updated_at"])
    record(actor=user, action="innovation.match.verdict", obj=m, object_repr=str(m)[:255],
           enterprise_uscc=m.need.enterprise.uscc, before=before,
           after={"enterprise_verdict": m.enterprise_verdict,
                  "university_verdict": m.university_verdict}, note=note)  # fmt: skip
    sm = DockingMachine(model=m, state_field="state")
    if not accepted:
        before_state = m.state
        sm.send("close")
        m.save(update_fields=["state"])
        _event(m, user, "close", before_state, note or _("一方拒绝推荐"))
    elif (
        m.state == Match.State.RECOMMENDED
        and m.enterprise_verdict == Match.Verdict.ACCEPTED
        and m.university_verdict == Match.Verdict.ACCEPTED
    ):
        sm.send("start_docking")
        m.save(update_fields=["state"])
        _event(m, user, "start_docking", Match.State.RECOMMENDED, note or _("双方均接受推荐"))
        _notify_enterprise(m, _("技术对接已开始"))
        _notify_university(m, _("技术对接已开始"))
    else:
        other = _notify_enterprise if "university" in sides else _notify_university
        other(m, _("对方接受了推荐，请表态"))
    return m


# --------------------------------------------------------------------- teams, capabilities
@transaction.atomic
def save_team(user, data: dict, team: Team | None = None) -> Team:
    if team is not None:
        from srdi.core import access

        access.require_write(user, team)
    elif not (scopes.is_university(user) or acc.is_admin(user)):
        raise PermissionDenied(_("只有高校院所用户可以登记科研团队。"))
    before = _snapshot(team, ("name", "leader", "contact", "introduction")) if team else None
    t = team or Team(
        institution=user.organization if scopes.is_university(user)
        else _text(data.get("institution"), _("所属机构"), required=True, max_len=200)
    )  # fmt: skip
    t.name = _text(data.get("name"), _("团队名称"), required=True, max_len=200)
    t.leader = _text(data.get("leader"), _("负责人"), max_len=100)
    t.contact = _text(data.get("contact"), _("联系方式"), max_len=100)
    t.introduction = _text(data.get("introduction"), _("团队简介"), max_len=5000)
    if Team.objects.filter(institution=t.institution, name=t.name).exclude(pk=t.pk).exists():
        raise ValidationError(_("本机构已有同名团队：%(n)s") % {"n": t.name})
    t.save()
    record(actor=user, action="innovation.team.save", obj=t, before=before,
           after=_snapshot(t, ("institution", "name", "leader", "contact", "introduction")))  # fmt: skip
    return t


CAP_FIELDS = ("kind", "title", "description", "keywords", "scenarios", "field", "trl", "patents",
              "active")  # fmt: skip
MAX_SCENARIOS = 30  # lines of 应用场景 / 可解决的问题 per capability
MAX_SCENARIO_LEN = 100  # characters per line


def scenario_lines(value) -> list[str]:
    """应用场景 as a list of phrases: one per line (a list is accepted too), blanks dropped."""
    if value is None:
        return []
    lines = value if isinstance(value, list) else str(value).splitlines()
    return [s for s in (str(x).strip() for x in lines) if s]


def _scenarios(value) -> str:
    lines = scenario_lines(value)
    if len(lines) > MAX_SCENARIOS:
        raise ValidationError(
            _("应用场景最多 %(n)d 条（现有 %(m)d 条）") % {"n": MAX_SCENARIOS, "m": len(lines)}
        )
    long = [s for s in lines if len(s) > MAX_SCENARIO_LEN]
    if long:
        raise ValidationError(
            _("应用场景每条不超过 %(n)d 字：%(s)s") % {"n": MAX_SCENARIO_LEN, "s": long[0][:20]}
        )
    return "\n".join(lines)


@transaction.atomic
def save_capability(user, team: Team, data: dict, cap: Capability | None = None) -> Capability:
    from srdi.core import access

    access.require_write(user, cap or team)
    before = _snapshot(cap, CAP_FIELDS) if cap else None
    c = cap or Capability(team=team)
    kind = data.get("kind") or c.kind or Capability.Kind.CAPABILITY
    if kind not in Capability.Kind.values:
        raise ValidationError(_("未知的类型：%(v)s") % {"v": kind})
    c.kind = kind
    c.title = _text(data.get("title"), _("名称"), required=True, max_len=200)
    c.description = _text(data.get("description"), _("简介"), required=True, max_len=5000)
    c.keywords = _keywords(data.get("keywords"))
    c.scenarios = _scenarios(data.get("scenarios"))
    c.field = _text(data.get("field"), _("领域"))
    if c.field and c.field not in dict(Capability._meta.get_field("field").choices):
        raise ValidationError(_("未知的领域：%(v)s") % {"v": c.field})
    trl = data.get("trl")
    if trl in (None, ""):
        c.trl = None
    else:
        try:
            c.trl = int(trl)
        except (TypeError, ValueError):
            raise ValidationError(_("技术成熟度应为 1 到 9 的整数：%(v)s") % {"v": trl}) from None
        if not 1 <= c.trl <= 9:
            raise ValidationError(_("技术成熟度应为 1 到 9 的整数：%(v)s") % {"v": trl})
    c.patents = _text(data.get("patents"), _("相关专利"), max_len=2000)
    c.active = bool(data.get("active", True)) if not isinstance(data.get("active"), str) else (
        data.get("active") not in ("0", "false", "off", ""))  # fmt: skip
    c.updated_at = timezone.now()
    c.save()
    record(actor=user, action="innovation.capability.save", obj=c, before=before,
           after=_snapshot(c, CAP_FIELDS))  # fmt: skip
    return c


# ------------------------------------------------------------------- projects, 科技副总
PROJECT_FIELDS = (
    "title", "institution", "contract_amount", "funding", "signed_on", "start_on", "end_on",
    "concluded_on",
)  # fmt: skip


@transaction.atomic
def save_project(user, enterprise, data: dict, project: Project | None = None) -> Project:
    """A 产学研 project recorded directly by the 科技局 (e.g. an offline docking)."""
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可登记产学研合作项目。"))
    before = _snapshot(project, PROJECT_FIELDS) if project else None
    p = project or Project(enterprise=enterprise)
    p.title = _text(data.get("title"), _("项目名称"), required=True, max_len=200)
    p.institution = _text(data.get("institution"), _("合作高校院所"), required=True, max_len=200)
    p.contract_amount = _money(data.get("contract_amount"), _("合同金额"))
    p.funding = _money(data.get("funding"), _("财政资助"))
    p.signed_on = _date(data.get("signed_on"), _("签约日期"))
    if p.signed_on is None:
        raise ValidationError(_("请填写“签约日期”。"))
    p.start_on = _date(data.get("start_on"), _("开始日期"))
    p.end_on = _date(data.get("end_on"), _("结束日期"))
    if p.end_on and p.start_on and p.end_on < p.start_on:
        raise ValidationError(_("结束日期不能早于开始日期。"))
    p.save()
    record(actor=user, action="innovation.project.save", obj=p, enterprise_uscc=p.enterprise.uscc,
           before=before, after=_snapshot(p, PROJECT_FIELDS))  # fmt: skip
    return p


VP_FIELDS = ("person", "institution", "term_start", "term_end", "expertise")


@transaction.atomic
def save_tech_vp(user, enterprise, data: dict, vp: TechVP | None = None) -> TechVP:
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可登记科技副总。"))
    before = _snapshot(vp, VP_FIELDS) if vp else None
    v = vp or TechVP(enterprise=enterprise)
    v.person = _text(data.get("person"), _("姓名"), required=True, max_len=100)
    v.institution = _text(data.get("institution"), _("派出高校院所"), required=True, max_len=200)
    v.expertise = _text(data.get("expertise"), _("专业方向"), max_len=200)
    v.term_start = _date(data.get("term_start"), _("任期开始"))
    if v.term_start is None:
        raise ValidationError(_("请填写“任期开始”。"))
    v.term_end = _date(data.get("term_end"), _("任期结束"))
    if v.term_end and v.term_end < v.term_start:
        raise ValidationError(_("任期结束不能早于任期开始。"))
    v.save()
    record(actor=user, action="innovation.techvp.save", obj=v, enterprise_uscc=v.enterprise.uscc,
           before=before, after=_snapshot(v, VP_FIELDS))  # fmt: skip
    return v


# ----------------------------------------------------------------------------- 揭榜挂帅
@transaction.atomic
def create_challenge(user, data: dict, need_ids, rewards: dict | None = None) -> Challenge:
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可发布揭榜挂帅榜单。"))
    title = _text(data.get("title"), _("榜单名称"), required=True, max_len=200)
    try:
        year = int(data.get("year") or timezone.localdate().year)
    except (TypeError, ValueError):
        raise ValidationError(_("年度应为整数：%(v)s") % {"v": data.get("year")}) from None
    needs = list(Need.objects.filter(pk__in=[int(i) for i in need_ids if str(i).isdigit()]))
    if not needs:
        raise ValidationError(_("请至少选择一项技术需求列入榜单。"))
    confidential = [n.title for n in needs if n.confidentiality == Need.Confidentiality.NAMED]
    if confidential:
        raise ValidationError(
            _("“仅本人指定的机构”的需求不能公开列榜：%(t)s") % {"t": "、".join(confidential)}
        )
    c = Challenge.objects.create(
        title=title, year=year, description=_text(data.get("description"), _("说明"), max_len=5000),
        apply_until=_date(data.get("apply_until"), _("揭榜截止日期")), created_by=user,
    )  # fmt: skip
    for n in needs:
        ChallengeItem.objects.create(
            challenge=c, need=n, reward=_money((rewards or {}).get(str(n.pk)), _("榜单金额"))
        )
    record(actor=user, action="innovation.challenge.create", obj=c,
           after={"title": title, "year": year, "needs": [n.pk for n in needs]})  # fmt: skip
    return c


@transaction.atomic
def publish_challenge(user, c: Challenge) -> Challenge:
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可发布揭榜挂帅榜单。"))
    if c.status != Challenge.Status.DRAFT:
        raise ValidationError(_("该榜单已发布。"))
    c.status, c.published_at = Challenge.Status.PUBLISHED, timezone.now()
    c.save(update_fields=["status", "published_at"])
    record(actor=user, action="innovation.challenge.publish", obj=c,
           before={"status": "draft"}, after={"status": c.status})  # fmt: skip
    from srdi.accounts.models import User
    from srdi.accounts.roles import PartnerKind, Role

    notify(
        User.objects.filter(role=Role.PARTNER, partner_kind=PartnerKind.UNIVERSITY, is_active=True),
        kind="innovation.challenge", title=_("揭榜挂帅榜单发布：%(t)s") % {"t": c.title},
        link=f"/innovation/challenges/{c.pk}/", dedupe_key=f"innovation.challenge.{c.pk}",
    )  # fmt: skip
    return c


@transaction.atomic
def apply_for(user, item: ChallengeItem, team: Team, data: dict) -> Application:
    """A university team applies (揭榜) with its proposal."""
    if not (scopes.is_university(user) and team.institution == user.organization):
        raise PermissionDenied(_("只能以本机构的科研团队揭榜。"))
    if item.challenge.status != Challenge.Status.PUBLISHED:
        raise ValidationError(_("该榜单未在揭榜期。"))
    if item.challenge.apply_until and timezone.localdate() > item.challenge.apply_until:
        raise ValidationError(_("揭榜已截止。"))
    if Application.objects.filter(item=item, team=team).exists():
        raise ValidationError(_("该团队已揭榜此项目。"))
    a = Application.objects.create(
        item=item, team=team,
        proposal=_text(data.get("proposal"), _("攻关方案"), required=True, max_len=10000),
        amount=_money(data.get("amount"), _("申请经费")), submitted_by=user,
    )  # fmt: skip
    record(actor=user, action="innovation.application.create", obj=a,
           enterprise_uscc=item.need.enterprise.uscc,
           after={"team": team.pk, "amount": jsonable(a.amount)})  # fmt: skip
    return a


@transaction.atomic
def decide(user, a: Application, selected: bool, reason: str) -> Application:
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可遴选揭榜团队。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写遴选理由。"))
    if a.status != Application.Status.SUBMITTED:
        raise ValidationError(_("该申请已遴选。"))
    a.status = Application.Status.SELECTED if selected else Application.Status.NOT_SELECTED
    a.decision_reason, a.decided_at = reason, timezone.now()
    a.save(update_fields=["status", "decision_reason", "decided_at"])
    record(actor=user, action="innovation.application.decide", obj=a,
           before={"status": "submitted"}, after={"status": a.status}, note=reason)  # fmt: skip
    notify(_university_users(a.team.institution), kind="innovation.challenge",
           title=_("揭榜结果：%(s)s") % {"s": a.get_status_display()}, body=str(a.item),
           link=f"/innovation/challenges/{a.item.challenge_id}/",
           dedupe_key=f"innovation.application.{a.pk}.{a.status}")  # fmt: skip
    return a


@transaction.atomic
def add_milestone(user, a: Application, data: dict) -> Milestone:
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可设置里程碑。"))
    if a.status != Application.Status.SELECTED:
        raise ValidationError(_("只有入选的揭榜团队才设置里程碑。"))
    due = _date(data.get("due_on"), _("计划完成日期"))
    if due is None:
        raise ValidationError(_("请填写“计划完成日期”。"))
    ms = Milestone.objects.create(
        application=a, title=_text(data.get("title"), _("里程碑"), required=True, max_len=200),
        due_on=due, tranche=_money(data.get("tranche"), _("拨付经费")),
    )  # fmt: skip
    record(actor=user, action="innovation.milestone.create", obj=ms,
           after=_snapshot(ms, ("title", "due_on", "tranche")))  # fmt: skip
    return ms


@transaction.atomic
def complete_milestone(user, ms: Milestone, done_on=None, paid_on=None) -> Milestone:
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可确认里程碑。"))
    before = _snapshot(ms, ("done_on", "paid_on"))
    ms.done_on = _date(done_on, _("完成日期")) or timezone.localdate()
    ms.paid_on = _date(paid_on, _("拨付日期"))
    ms.save(update_fields=["done_on", "paid_on"])
    record(actor=user, action="innovation.milestone.done", obj=ms, before=before,
           after=_snapshot(ms, ("done_on", "paid_on")))  # fmt: skip
    return ms


@transaction.atomic
def accept_application(user, a: Application, note: str) -> Application:
    """验收 of a selected application (all milestones done)."""
    if not scopes.is_kjj(user):
        raise PermissionDenied(_("仅科技局用户可验收。"))
    if a.status != Application.Status.SELECTED:
        raise ValidationError(_("只有入选的揭榜项目才能验收。"))
    if a.milestones.filter(done_on__isnull=True).exists():
        raise ValidationError(_("还有里程碑未完成，不能验收。"))
    a.status, a.accepted_on = Application.Status.ACCEPTED, timezone.localdate()
    a.acceptance_note = (note or "").strip()
    a.save(update_fields=["status", "accepted_on", "acceptance_note"])
    record(actor=user, action="innovation.application.accept", obj=a,
           before={"status": "selected"}, after={"status": a.status}, note=a.acceptance_note)  # fmt: skip
    return a
