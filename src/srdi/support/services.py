"""Every write of the service system: permission check, change, audit record, notification.

The web pages, the API and the commands all call these. Other domains file a request on an
enterprise's behalf with :func:`file_request` (e.g. innovation's 专利导航, finance's listing
problems), naming a category and sub-kind of ``data/routing.yaml``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from srdi.accounts.roles import Department, Role
from srdi.audit.services import jsonable, record
from srdi.core.cleaning import date as _date
from srdi.core.cleaning import integer as _int
from srdi.core.cleaning import text as _text
from srdi.core.notifications import notify

from . import config, scopes, sources, workdays
from .models import (
    AssignmentEvent,
    CommissionerProfile,
    PlanItem,
    RequestAttachment,
    RequestEvent,
    ServicePlan,
    ServiceRequest,
    Visit,
    VisitFile,
)

MAX_FILE = 20 * 1024 * 1024
MAX_FILES = 10
ALLOWED_EXT = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".zip"}


def department_label(code: str) -> str:
    try:
        return str(Department(code).label)
    except ValueError:
        return code


def _check_files(files) -> list:
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError(_("附件最多 %(n)d 个。") % {"n": MAX_FILES})
    for f in files:
        name = getattr(f, "name", "") or ""
        ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if ext not in ALLOWED_EXT:
            raise ValidationError(
                _("附件“%(n)s”的类型不支持（可上传 PDF、Word、Excel、图片、文本、压缩包）。")
                % {"n": name}
            )
        if getattr(f, "size", 0) > MAX_FILE:
            raise ValidationError(_("附件“%(n)s”超过 20 MB。") % {"n": name})
    return files


def _users_of_department(code: str):
    User = get_user_model()
    return User.objects.filter(role=Role.DEPARTMENT, department=code, is_active=True)


def _gxj_users():
    User = get_user_model()
    return User.objects.filter(
        Q(role=Role.ADMIN) | Q(role=Role.DEPARTMENT, department=Department.GXJ),
        is_active=True,
    )


def _region_officers(enterprise):
    User = get_user_model()
    if not enterprise.region_id:
        return User.objects.none()
    return User.objects.filter(
        role=Role.REGION_OFFICER, region_id=enterprise.region_id, is_active=True
    )


def _enterprise_side(enterprise):
    return list(enterprise.users.filter(is_active=True)) + list(
        enterprise.commissioners.filter(is_active=True)
    )


# ------------------------------------------------------------------------ commissioners
PROFILE_FIELDS = ("department", "region_id", "industries", "capacity", "phone", "active")


@transaction.atomic
def save_profile(actor, user, data: dict) -> CommissionerProfile:
    """Create or change a commissioner's profile (administrators)."""
    if not scopes.is_admin(actor):
        raise PermissionDenied(_("只有市工信局管理员可以维护服务专员信息。"))
    if user.role != Role.COMMISSIONER:
        raise ValidationError(_("该用户不是服务专员。"))
    p, _created = CommissionerProfile.objects.get_or_create(user=user)
    before = jsonable({f: getattr(p, f) for f in PROFILE_FIELDS})
    dept = str(data.get("department") or "").strip()
    if dept and dept not in Department.values:
        raise ValidationError(_("未知的部门：%(v)s") % {"v": dept})
    p.department = dept
    p.region_id = data.get("region_id") or None
    inds = data.get("industries") or []
    if isinstance(inds, str):
        inds = [x.strip().upper() for x in inds.replace("，", ",").split(",") if x.strip()]
    if len(inds) > 30 or any(len(x) > 5 for x in inds):
        raise ValidationError(_("服务行业最多 30 个，每个为行业代码（如 C34）。"))
    p.industries = inds
    cap = data.get("capacity")
    if cap in (None, ""):
        cap = config.assignment()["default_capacity"]
    p.capacity = _int(cap, _("服务容量"), required=True, low=1, high=500)
    p.phone = _text(data.get("phone"), _("电话"), max_len=30)
    p.active = bool(data.get("active", True))
    p.save()
    record(actor=actor, action="support.profile.save", obj=p, before=before,
           after=jsonable({f: getattr(p, f) for f in PROFILE_FIELDS}))  # fmt: skip
    return p


def capacity_of(user) -> int:
    try:
        p = user.commissioner_profile
    except CommissionerProfile.DoesNotExist:
        p = None
    return p.capacity if p else int(config.assignment()["default_capacity"])


@transaction.atomic
def assign(
    actor, enterprise, commissioner, reason: str = "", *, check_capacity=True, system=False
) -> bool:
    """Assign a commissioner to an enterprise (history kept, audited, the commissioner told).
    ``system=True``: the command line (``srdi assign --apply``), run by the operator."""
    if not system and not scopes.may_assign(actor, enterprise):
        raise PermissionDenied(_("您无权为该企业指派服务专员。"))
    if commissioner.role != Role.COMMISSIONER or not commissioner.is_active:
        raise ValidationError(_("所选用户不是在岗的服务专员。"))
    if enterprise.commissioners.filter(pk=commissioner.pk).exists():
        return False
    if check_capacity and commissioner.assigned_enterprises.count() >= capacity_of(commissioner):
        raise ValidationError(
            _("%(c)s 已达服务容量（%(n)d 家），请先调整容量或选择其他专员。")
            % {"c": commissioner, "n": capacity_of(commissioner)}
        )
    enterprise.commissioners.add(commissioner)
    reason = _text(reason, _("理由"), max_len=300)
    AssignmentEvent.objects.create(
        enterprise=enterprise, commissioner=commissioner, action="assign", actor=actor,
        reason=reason,
    )  # fmt: skip
    record(actor=actor, action="support.assign", obj=enterprise,
           after={"commissioner": commissioner.username}, note=reason)  # fmt: skip
    notify([commissioner], kind="support_assign",
           title=_("新的服务企业：%(e)s") % {"e": enterprise.name},
           body=_("您已被指派为 %(e)s 的服务专员。%(r)s") % {"e": enterprise.name, "r": reason},
           link=f"/support/enterprises/{enterprise.uscc}/",
           dedupe_key=f"support:assign:{enterprise.pk}:{commissioner.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
           enterprise_uscc=enterprise.uscc)  # fmt: skip
    return True


@transaction.atomic
def unassign(actor, enterprise, commissioner, reason: str = "") -> bool:
    if not scopes.may_assign(actor, enterprise):
        raise PermissionDenied(_("您无权调整该企业的服务专员。"))
    if not enterprise.commissioners.filter(pk=commissioner.pk).exists():
        return False
    enterprise.commissioners.remove(commissioner)
    reason = _text(reason, _("理由"), max_len=300)
    AssignmentEvent.objects.create(
        enterprise=enterprise, commissioner=commissioner, action="unassign", actor=actor,
        reason=reason,
    )  # fmt: skip
    record(actor=actor, action="support.unassign", obj=enterprise,
           before={"commissioner": commissioner.username}, note=reason)  # fmt: skip
    return True


# ------------------------------------------------------------------------------ requests
class RequestMachine(StateMachine):
    """待受理 → 办理中 → 已办结 → 已评价; 转办 (to another department) and 退回 (to the filer)."""

    pending = State(_("待受理"), initial=True, value=ServiceRequest.State.PENDING)
    in_progress = State(_("办理中"), value=ServiceRequest.State.IN_PROGRESS)
    closed = State(_("已办结"), value=ServiceRequest.State.CLOSED)
    rated = State(_("已评价"), final=True, value=ServiceRequest.State.RATED)
    returned = State(_("已退回"), value=ServiceRequest.State.RETURNED)

    accept = pending.to(in_progress)
    close = in_progress.to(closed)
    rate = closed.to(rated)
    transfer = pending.to.itself() | in_progress.to(pending)
    send_back = pending.to(returned) | in_progress.to(returned)
    resubmit = returned.to(pending)


#: who may make each transition: "department" (the department it is routed to; administrators),
#: "filer" (the enterprise, its commissioners, its 板块), "enterprise" (the enterprise itself)
TRANSITION_ROLES = {
    "accept": {"department"},
    "close": {"department"},
    "transfer": {"department"},
    "send_back": {"department"},
    "resubmit": {"filer"},
    "rate": {"enterprise"},
}
TRANSITION_LABELS = {
    "accept": _("受理"),
    "close": _("办结"),
    "transfer": _("转办"),
    "send_back": _("退回"),
    "resubmit": _("重新提交"),
    "rate": _("评价"),
}


def sides_of(user, r: ServiceRequest) -> set[str]:
    out = set()
    if scopes.is_admin(user) or (scopes.is_department(user) and user.department == r.department):
        out.add("department")
    if scopes.may_file(user, r.enterprise) or sources.may_file(user, r.enterprise, r.source):
        out.add("filer")
    if scopes.is_enterprise(user) and user.enterprise_id == r.enterprise_id:
        out.add("enterprise")
    return out


def allowed_transitions(user, r: ServiceRequest) -> list[str]:
    sm = RequestMachine(model=r, state_field="state")
    sides = sides_of(user, r)
    return [e.id for e in sm.allowed_events if TRANSITION_ROLES.get(e.id, set()) & sides]


def _event(r: ServiceRequest, actor, action: str, before: str, note: str) -> None:
    RequestEvent.objects.create(request=r, action=action, from_state=before, to_state=r.state,
                                department=r.department, actor=actor, note=note)  # fmt: skip
    record(actor=actor, action=f"support.req.{action}", obj=r, enterprise_uscc=r.enterprise.uscc,
           before={"state": before}, after={"state": r.state, "department": r.department},
           note=note)  # fmt: skip


def deadlines(filed_on: dt.date, category: str, sub: str = "") -> tuple[dt.date, dt.date]:
    rt = config.route(category, sub)
    return workdays.add(filed_on, rt["accept_days"]), workdays.add(filed_on, rt["close_days"])


@transaction.atomic
def file_request(
    actor,
    enterprise,
    category: str,
    description: str,
    *,
    source: str = "",
    subkind: str = "",
    title: str = "",
    attachments=(),
    filed_at: dt.datetime | None = None,
    department: str = "",
) -> ServiceRequest:
    """File a request for ``enterprise`` (the enterprise itself, its commissioners, its 板块,
    administrators; other domains pass their ``source``, e.g. ``"finance.listing"``, and whom a
    source registered in :mod:`.sources` lets file, e.g. 市金融监管局 for its listing reserve):
    routed by the routing table — or to ``department`` when the calling domain has already named
    the responsible department — deadlines in working days, the department told."""
    if not (scopes.may_file(actor, enterprise) or sources.may_file(actor, enterprise, source)):
        raise PermissionDenied(_("只有企业本身、其服务专员或所在板块可以为该企业提交诉求。"))
    if department and department not in Department.values:
        raise ValidationError(_("未知的部门：%(v)s") % {"v": department})
    if category not in config.categories():
        raise ValidationError(_("未知的诉求类别：%(v)s") % {"v": category})
    if subkind and not config.subkind(category, subkind):
        raise ValidationError(
            _("“%(c)s”类诉求没有“%(v)s”这一细类。")
            % {"c": config.category_label(category), "v": subkind}
        )
    description = _text(description, _("诉求内容"), required=True, max_len=5000)
    title = _text(title, _("标题"), max_len=200) or description.splitlines()[0][:60]
    files = _check_files(attachments)
    filed_at = filed_at or timezone.now()
    filed_on = (
        timezone.localtime(filed_at).date() if timezone.is_aware(filed_at) else filed_at.date()
    )
    accept_due, close_due = deadlines(filed_on, category, subkind)
    r = ServiceRequest.objects.create(
        enterprise=enterprise, category=category, subkind=subkind, title=title,
        description=description, department=department or config.route(category, subkind)["department"],
        source=_text(source, _("来源"), max_len=40), filed_by=actor, filed_at=filed_at,
        filed_on=filed_on, accept_due=accept_due, close_due=close_due,
    )  # fmt: skip
    for f in files:
        RequestAttachment.objects.create(request=r, file=f, name=f.name[:255], uploaded_by=actor)
    _event(r, actor, "file", "", _("提交诉求"))
    notify(_users_of_department(r.department), kind="support_request",
           title=_("新诉求待受理：%(t)s") % {"t": r.title},
           body=_("%(e)s 提交了%(c)s类诉求，请于 %(d)s 前受理。")
           % {"e": enterprise.name, "c": config.category_label(category), "d": accept_due.isoformat()},
           link=f"/support/requests/{r.pk}/", dedupe_key=f"support:req:{r.pk}:file",
           enterprise_uscc=enterprise.uscc, email=True)  # fmt: skip
    return r


@transaction.atomic
def transition(
    actor,
    r: ServiceRequest,
    event: str,
    note: str = "",
    *,
    department: str = "",
    rating: int | None = None,
) -> ServiceRequest:
    """Move a request along: each transition by a permitted role, with a note, audited."""
    r = ServiceRequest.objects.select_for_update().select_related("enterprise").get(pk=r.pk)
    if event not in TRANSITION_ROLES:
        raise ValidationError(_("未知的操作：%(e)s") % {"e": event})
    if not TRANSITION_ROLES[event] & sides_of(actor, r):
        raise PermissionDenied(_("您无权对该诉求执行“%(a)s”。") % {"a": TRANSITION_LABELS[event]})
    note = _text(note, _("说明"), max_len=2000)
    if event in ("close", "transfer", "send_back") and not note:
        raise ValidationError(
            _("“%(a)s”须填写说明（办理结果或原因）。") % {"a": TRANSITION_LABELS[event]}
        )
    if event == "transfer":
        if department not in Department.values:
            raise ValidationError(_("请选择转办的部门。"))
        if department == r.department:
            raise ValidationError(_("转办的部门与当前责任部门相同。"))
    if event == "rate":
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ValidationError(_("满意度应为 1 到 5 分。"))
    before = r.state
    sm = RequestMachine(model=r, state_field="state")
    try:
        sm.send(event)
    except TransitionNotAllowed:
        raise ValidationError(
            _("当前状态为“%(s)s”，不能“%(a)s”。")
            % {"s": ServiceRequest.State(before).label, "a": TRANSITION_LABELS[event]}
        ) from None
    today = timezone.localdate()
    fields = ["state"]
    if event == "accept":
        r.accepted_on = today
        fields.append("accepted_on")
    elif event == "close":
        r.closed_on, r.result = today, note
        fields += ["closed_on", "result"]
    elif event == "transfer":
        old = r.department
        r.department = department
        r.accepted_on = None
        fields += ["department", "accepted_on"]
        note = _("由%(a)s转办至%(b)s：%(n)s") % {
            "a": department_label(old), "b": department_label(department), "n": note
        }  # fmt: skip
    elif event == "rate":
        r.rating, r.rating_comment = rating, note[:500]
        fields += ["rating", "rating_comment"]
    r.save(update_fields=fields)
    _event(r, actor, event, before, note)
    sources.after_transition(actor, r, event, note)
    label = _("诉求“%(t)s”：%(a)s") % {"t": r.title, "a": TRANSITION_LABELS[event]}
    if event == "transfer":
        notify(_users_of_department(r.department), kind="support_request",
               title=_("转办诉求待受理：%(t)s") % {"t": r.title}, body=note,
               link=f"/support/requests/{r.pk}/",
               dedupe_key=f"support:req:{r.pk}:to:{r.department}:{timezone.now():%Y%m%d%H%M%S%f}",
               enterprise_uscc=r.enterprise.uscc, email=True)  # fmt: skip
    if event in ("accept", "close", "send_back", "transfer"):
        notify(_enterprise_side(r.enterprise), kind="support_request", title=label, body=note,
               link=f"/support/requests/{r.pk}/",
               dedupe_key=f"support:req:{r.pk}:{event}:{timezone.now():%Y%m%d%H%M%S%f}",
               enterprise_uscc=r.enterprise.uscc)  # fmt: skip
    return r


def current_due(r: ServiceRequest) -> dt.date | None:
    if r.state == ServiceRequest.State.PENDING:
        return r.accept_due
    if r.state == ServiceRequest.State.IN_PROGRESS:
        return r.close_due
    return None


def overdue_q(today: dt.date) -> Q:
    S = ServiceRequest.State
    return Q(state=S.PENDING, accept_due__lt=today) | Q(
        state__in=[S.PENDING, S.IN_PROGRESS], close_due__lt=today
    )


def overdue_days(r: ServiceRequest, today: dt.date) -> int:
    due = current_due(r)
    if r.state == ServiceRequest.State.PENDING and r.close_due < today:
        due = r.close_due
    return workdays.between(due, today) if due and due < today else 0


def sweep(today: dt.date | None = None) -> dict:
    """Reminders before a deadline (the department) and escalation when passed (the 板块 and
    市工信局); each notice once (dedupe keys). Run daily (``srdi requests --sweep``)."""
    today = today or timezone.localdate()
    S = ServiceRequest.State
    soon = workdays.add(today, config.remind_days())
    reminded = escalated = 0
    open_qs = ServiceRequest.objects.filter(state__in=[S.PENDING, S.IN_PROGRESS]).select_related(
        "enterprise"
    )
    for r in open_qs.filter(
        Q(state=S.PENDING, accept_due__gte=today, accept_due__lte=soon)
        | Q(close_due__gte=today, close_due__lte=soon)
    ):
        due = current_due(r)
        if not due or not today <= due <= soon:
            continue
        what = _("受理") if r.state == S.PENDING else _("办结")
        n = notify(_users_of_department(r.department), kind="support_reminder",
                   title=_("诉求即将到期（%(w)s）：%(t)s") % {"w": what, "t": r.title},
                   body=_("%(e)s 的诉求须于 %(d)s 前%(w)s。")
                   % {"e": r.enterprise.name, "d": due.isoformat(), "w": what},
                   link=f"/support/requests/{r.pk}/",
                   dedupe_key=f"support:req:{r.pk}:remind:{r.state}:{due}",
                   enterprise_uscc=r.enterprise.uscc)  # fmt: skip
        reminded += bool(n)
    for r in open_qs.filter(overdue_q(today)):
        level = 2 if r.close_due < today else 1
        if r.escalation >= level:
            continue
        days = overdue_days(r, today)
        what = _("办结") if level == 2 else _("受理")
        users = list(_region_officers(r.enterprise)) + list(_gxj_users())
        notify(users, kind="support_escalation",
               title=_("诉求逾期未%(w)s：%(t)s") % {"w": what, "t": r.title},
               body=_("%(e)s 的诉求（责任部门：%(d)s）已逾期 %(n)d 个工作日，请督办。")
               % {"e": r.enterprise.name, "d": department_label(r.department), "n": days},
               link=f"/support/requests/{r.pk}/", dedupe_key=f"support:req:{r.pk}:esc:{level}",
               enterprise_uscc=r.enterprise.uscc, email=True)  # fmt: skip
        ServiceRequest.objects.filter(pk=r.pk).update(escalation=level)
        record(actor=None, action="support.req.escalate", obj=r, enterprise_uscc=r.enterprise.uscc,
               after={"escalation": level}, note=_("逾期 %(n)d 个工作日") % {"n": days})  # fmt: skip
        escalated += 1
    return {"reminded": reminded, "escalated": escalated}


# --------------------------------------------------------------------------------- plans
ITEM_FIELDS = ("area", "title", "detail", "owner_id", "owner_department", "due", "status",
               "evidence", "policy_id", "request_id")  # fmt: skip


def plan_of(enterprise) -> ServicePlan:
    plan, _created = ServicePlan.objects.get_or_create(enterprise=enterprise)
    return plan


def _require_plan_writer(actor, enterprise) -> None:
    if not scopes.may_work_on(actor, enterprise):
        raise PermissionDenied(_("只有该企业的服务专员、所在板块或市工信局可以修改一企一策。"))


@transaction.atomic
def save_item(actor, plan: ServicePlan, data: dict, item: PlanItem | None = None) -> PlanItem:
    """Add or edit a plan item (commissioners of the enterprise, its 板块, administrators; the
    department owning an item may record its status and evidence)."""
    dept_owner = (
        item is not None
        and scopes.is_department(actor)
        and item.owner_department == actor.department
    )
    if not dept_owner:
        _require_plan_writer(actor, plan.enterprise)
    before = jsonable({f: getattr(item, f) for f in ITEM_FIELDS}) if item else None
    it = item or PlanItem(plan=plan, origin=PlanItem.Origin.MANUAL)
    if not dept_owner:
        area = str(data.get("area") or it.area or "").strip()
        if area not in {a["code"] for a in config.areas()}:
            raise ValidationError(_("请选择服务领域。"))
        it.area = area
        it.title = _text(data.get("title", it.title), _("事项"), required=True, max_len=300)
        it.detail = _text(data.get("detail", it.detail), _("说明"), max_len=3000)
        dept = str(data.get("owner_department", it.owner_department) or "").strip()
        if dept and dept not in Department.values:
            raise ValidationError(_("未知的部门：%(v)s") % {"v": dept})
        it.owner_department = dept
        owner = data.get("owner_id", it.owner_id)
        if owner:
            if not plan.enterprise.commissioners.filter(pk=owner).exists():
                raise ValidationError(_("负责人应为该企业的服务专员。"))
            it.owner_id = int(owner)
        else:
            it.owner_id = None
        it.due = _date(data.get("due", it.due), _("完成期限"))
    status = str(data.get("status") or (it.status if item else PlanItem.Status.ACCEPTED))
    if status not in PlanItem.Status.values:
        raise ValidationError(_("未知的状态：%(v)s") % {"v": status})
    it.status = status
    it.evidence = _text(data.get("evidence", it.evidence), _("完成佐证"), max_len=3000)
    if it.status == PlanItem.Status.DONE and not it.evidence:
        raise ValidationError(_("标记“已完成”须填写完成佐证。"))
    it.save()
    ServicePlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now(), updated_by=actor)
    record(actor=actor, action="support.plan.item", obj=it, enterprise_uscc=plan.enterprise.uscc,
           before=before, after=jsonable({f: getattr(it, f) for f in ITEM_FIELDS}))  # fmt: skip
    if item is None or (before and before.get("status") != it.status):
        notify(plan.enterprise.users.filter(is_active=True), kind="support_plan",
               title=_("一企一策更新：%(t)s") % {"t": it.title},
               body=_("状态：%(s)s") % {"s": it.get_status_display()},
               link="/support/plan/", dedupe_key=f"support:item:{it.pk}:{it.status}",
               enterprise_uscc=plan.enterprise.uscc)  # fmt: skip
    return it


@transaction.atomic
def decide_item(actor, item: PlanItem, verdict: str) -> PlanItem:
    """Accept or drop a proposed item."""
    target = {"accept": PlanItem.Status.ACCEPTED, "drop": PlanItem.Status.DROPPED}.get(verdict)
    if target is None:
        raise ValidationError(_("未知的操作：%(e)s") % {"e": verdict})
    return save_item(actor, item.plan, {"status": target}, item)


def _area_for(text: str) -> str:
    for area, words in (config.service()["plan"].get("area_keywords") or {}).items():
        if any(w in text for w in words):
            return area
    return "innovation"


def suggestions(enterprise, as_of: dt.date | None = None) -> list[dict]:
    """Proposed items from the enterprise's diagnosis (each 补短板 gap) and from the policies it
    matches but has not applied for. Each carries an ``origin_key`` so it is proposed once."""
    as_of = as_of or timezone.localdate()
    out: list[dict] = []
    try:
        from srdi.diagnosis.services import diagnose

        d = diagnose(enterprise, as_of)
    except Exception:  # noqa: BLE001 - no figures or no rules: no diagnosis suggestions
        d = None
    nxt = (d or {}).get("next_tier") or {}
    for row in nxt.get("plan") or []:
        what = row.get("what") or row.get("item") or ""
        text = row.get("text") or ""
        if row.get("from") and row.get("to"):
            title = f"{what} {row['from']} → {row['to']}"
            if text and text not in title:
                title += f"（{text}）"
        else:
            title = text or what
        if not title:
            continue
        out.append({
            "origin": PlanItem.Origin.DIAGNOSIS, "origin_key": f"diag:{what or title}"[:120],
            "area": _area_for(title), "title": title[:300],
            "detail": _("争创%(t)s的差距（把脉诊断，%(d)s）")
            % {"t": nxt.get("next_label") or "", "d": as_of.isoformat()},
        })  # fmt: skip
    from srdi.policies.models import Application, PolicyMatch

    applied = Application.objects.filter(enterprise=enterprise).values("policy_id")
    for m in (
        PolicyMatch.objects.filter(enterprise=enterprise, status="eligible")
        .exclude(policy_id__in=applied)
        .select_related("policy")[:20]
    ):
        out.append({
            "origin": PlanItem.Origin.POLICY, "origin_key": f"policy:{m.policy_id}",
            "area": "finance", "title": _("申报政策《%(t)s》") % {"t": m.policy.title},
            "detail": _("已匹配、尚未申报"), "policy_id": m.policy_id,
        })  # fmt: skip
    return out


@transaction.atomic
def propose(actor, enterprise, as_of: dt.date | None = None) -> list[PlanItem]:
    """Add the suggestions not yet in the plan as proposed items (accepted, edited or dropped
    by the commissioner afterwards)."""
    _require_plan_writer(actor, enterprise)
    plan = plan_of(enterprise)
    have = set(plan.items.exclude(origin_key="").values_list("origin_key", flat=True))
    due = (as_of or timezone.localdate()) + dt.timedelta(
        days=int(config.service()["plan"]["suggestion_due_days"])
    )
    made = []
    for s in suggestions(enterprise, as_of):
        if s["origin_key"] in have:
            continue
        have.add(s["origin_key"])
        made.append(PlanItem.objects.create(plan=plan, due=due, **s))
    if made:
        record(actor=actor, action="support.plan.propose", obj=plan,
               enterprise_uscc=enterprise.uscc, after={"proposed": [i.title for i in made]})  # fmt: skip
    return made


# -------------------------------------------------------------------------------- visits
@transaction.atomic
def record_visit(actor, enterprise, data: dict, files=()) -> Visit:
    if not scopes.may_work_on(actor, enterprise):
        raise PermissionDenied(_("只有该企业的服务专员、所在板块或市工信局可以记录走访。"))
    v = Visit.objects.create(
        enterprise=enterprise, by=actor,
        visited_on=_date(data.get("visited_on"), _("走访日期"), required=True),
        participants=_text(data.get("participants"), _("参加人员"), max_len=500),
        topics=_text(data.get("topics"), _("走访主题"), required=True, max_len=500),
        findings=_text(data.get("findings"), _("发现的问题与需求"), max_len=5000),
    )  # fmt: skip
    if v.visited_on > timezone.localdate():
        raise ValidationError(_("走访日期不能晚于今天。"))
    for f in _check_files(files):
        VisitFile.objects.create(visit=v, file=f, name=f.name[:255])
    record(actor=actor, action="support.visit", obj=v, enterprise_uscc=enterprise.uscc,
           after=jsonable({"visited_on": v.visited_on, "topics": v.topics}))  # fmt: skip
    return v


@transaction.atomic
def follow_up(actor, visit: Visit, kind: str, data: dict):
    """A visit's follow-up becomes a plan item or a request."""
    if kind == "item":
        plan = plan_of(visit.enterprise)
        item = save_item(actor, plan, {**data, "status": PlanItem.Status.ACCEPTED})
        PlanItem.objects.filter(pk=item.pk).update(visit=visit, origin=PlanItem.Origin.VISIT)
        item.refresh_from_db()
        return item
    if kind == "request":
        r = file_request(actor, visit.enterprise, str(data.get("category") or ""),
                         data.get("description") or "", subkind=data.get("subkind") or "",
                         title=data.get("title") or "", source="visit")  # fmt: skip
        return r
    raise ValidationError(_("未知的跟进方式：%(v)s") % {"v": kind})
