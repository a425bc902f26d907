"""Every write of the policy service: catalogue edits and versions, publishing, matching,
targeted push, mutes, applications and payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from srdi.accounts import scopes
from srdi.audit.services import jsonable, record
from srdi.core import formatting as fmt
from srdi.core.notifications import notify

from . import conditions as C
from . import review as R
from . import selectors as S
from .catalogue import Spec, SpecError, load_catalogue, parse_spec
from .matching import ELIGIBLE, match_all, match_profile
from .models import (
    Application,
    ApplicationAttachment,
    CategoryMute,
    Policy,
    PolicyMatch,
    PolicyVersion,
    PushRecord,
)

# ---------------------------------------------------------------------------------------------
# catalogue


def require_editor(user) -> None:
    if not S.may_edit_policies(user):
        raise PermissionDenied(_("仅市工信局管理员或部门用户可编辑政策。"))


def require_owner(user, policy: Policy) -> None:
    """A department user manages only its own department's policies (and their applications):
    the policy's 发布部门 must name it (policies/data/departments.yaml). Issue 10, item 5."""
    from .scopes import owns_policy

    require_editor(user)
    if not owns_policy(user, policy):
        raise PermissionDenied(_("该政策不由您所在部门发布，您无权管理。"))


def _columns(spec: Spec) -> dict:
    return {
        "title": spec.title,
        "category": spec.category,
        "department": spec.department,
        "document_no": spec.document_no,
        "published_on": spec.published,
        "valid_from": spec.valid_from,
        "valid_until": spec.valid_until,
        "verified": spec.status == "verified",
    }


def _clean_raw(raw: dict) -> dict:
    return jsonable({k: v for k, v in raw.items() if not k.startswith("_")})


def save_policy(user, raw: dict, policy: Policy | None = None, note: str = "") -> Policy:
    """Create or edit a policy (validated; a new version every time). Raises SpecError."""
    from .scopes import owns_department_text

    require_editor(user)
    if policy is not None:
        require_owner(user, policy)
    spec = parse_spec(raw)
    if not owns_department_text(user, spec.department or ""):
        raise PermissionDenied(_("发布部门应为您所在的部门（部门用户只能管理本部门的政策）。"))
    raw = _clean_raw(raw)
    with transaction.atomic():
        if policy is None:
            if Policy.objects.filter(key=spec.key).exists():
                raise SpecError([f"key（政策编号）：“{spec.key}”已存在"])
            policy = Policy.objects.create(key=spec.key, spec=raw, version=1, **_columns(spec))
            before = None
        else:
            if spec.key != policy.key:
                raise SpecError(["key（政策编号）：发布后不可修改"])
            before = policy.spec
            policy.spec = raw
            policy.version += 1
            for k, v in _columns(spec).items():
                setattr(policy, k, v)
            policy.updated_at = timezone.now()
            policy.save()
        PolicyVersion.objects.create(
            policy=policy, number=policy.version, spec=raw, created_by=user, note=note
        )
        record(actor=user, action="policy.save", obj=policy, before=before, after=raw)
    return policy


def load_plan_catalogue(user=None, publish: bool = False) -> list[Policy]:
    """Create the YAML catalogue's policies that are not in the database yet (never overwrite)."""
    _h, raws = load_catalogue()
    out = []
    for raw in raws:
        spec = parse_spec(raw)
        if Policy.objects.filter(key=spec.key).exists():
            continue
        clean = _clean_raw(raw)
        p = Policy.objects.create(
            key=spec.key, spec=clean, version=1, from_catalogue=True, **_columns(spec)
        )
        PolicyVersion.objects.create(policy=p, number=1, spec=clean, note="计划目录导入")
        out.append(p)
        if publish:
            publish_policy(user, p, system=True)
    return out


# ---------------------------------------------------------------------------------------------
# matching and push


def preview(user, raw: dict, as_of: date | None = None) -> dict:
    """Which enterprises (in the user's scope) a spec would match, before publishing."""
    spec = parse_spec(raw)
    day = as_of or date.today()
    ents, profs = S.profiles_of(scopes.visible_enterprises(user))
    df = match_all([spec], profs, day) if profs else None
    rows = {"eligible": [], "unknown": [], "near": []}
    if df is not None:
        for r in df.iter_rows(named=True):
            rows[r["status"]].append((ents[r["row"]], r["amount"]))
    return {"spec": spec, "total": len(ents), **rows}


def _push(policy: Policy, version: int, spec: Spec, enterprise, amount, trigger: str) -> int:
    if CategoryMute.objects.filter(enterprise=enterprise, category=spec.category).exists():
        return 0
    key = f"policy:{policy.pk}:v{version}:ent:{enterprise.pk}"
    users = list(enterprise.users.filter(is_active=True)) + list(
        enterprise.commissioners.filter(is_active=True)
    )
    amt = _("待核定") if amount is None else f"{Decimal(str(amount)).normalize():f}万元"
    body = _(
        "%(name)s 符合政策《%(title)s》的申报条件。\n类别：%(cat)s\n预计金额：%(amt)s\n"
        "请登录平台查看匹配依据并一键申报。"
    ) % {"name": enterprise.name, "title": spec.title, "cat": spec.category, "amt": amt}
    created = notify(
        users,
        kind="policy_match",
        title=_("政策匹配：%(title)s") % {"title": spec.title},
        body=body,
        link=f"/policies/{policy.pk}/?uscc={enterprise.uscc}",
        dedupe_key=key,
        enterprise_uscc=enterprise.uscc,
        category=spec.category,
        email=True,
    )
    PushRecord.objects.get_or_create(
        policy=policy,
        version=version,
        enterprise=enterprise,
        defaults={"dedupe_key": key, "recipients": len(created), "trigger": trigger},
    )
    return len(created)


def _store(
    policy: Policy,
    version: int,
    spec: Spec,
    results: dict,
    scope_ids: set[int],
    ents: dict,
    trigger: str,
) -> list:
    """Replace the stored matches of ``policy`` for the enterprises in ``scope_ids``; push the
    enterprises that are newly eligible. results: enterprise pk -> (status, amount, codes)."""
    now = timezone.now()
    old = {
        m.enterprise_id: m
        for m in PolicyMatch.objects.filter(policy=policy, enterprise_id__in=scope_ids)
    }
    newly = []
    create, update = [], []
    for eid, (status, amount, codes) in results.items():
        amt = None if amount is None else Decimal(str(amount))
        m = old.pop(eid, None)
        was_eligible = m is not None and m.status == ELIGIBLE
        if m is None:
            m = PolicyMatch(policy=policy, enterprise_id=eid)
            create.append(m)
        else:
            update.append(m)
        m.version, m.status, m.amount, m.codes, m.matched_at = version, status, amt, codes, now
        if status == ELIGIBLE and not was_eligible:
            m.first_eligible_at = now
            newly.append((eid, amount))
    PolicyMatch.objects.bulk_create(create, batch_size=2000)
    PolicyMatch.objects.bulk_update(
        update, ["version", "status", "amount", "codes", "matched_at", "first_eligible_at"], 2000
    )
    if old:
        PolicyMatch.objects.filter(pk__in=[m.pk for m in old.values()]).delete()
    for eid, amount in newly:
        _push(policy, version, spec, ents[eid], amount, trigger)
    return [ents[eid] for eid, _a in newly]


def rematch_policy(policy: Policy, trigger: str = "rematch", as_of: date | None = None) -> list:
    """Match every enterprise against one published policy (columnar); returns newly eligible."""
    from srdi.registry.models import Enterprise

    spec = S.spec_of(policy, published=True)
    day = as_of or date.today()
    ents, profs = S.profiles_of(Enterprise.objects.all())
    by_id = {e.pk: e for e in ents}
    results: dict = {}
    if profs and spec.in_force(day):
        df = match_all([spec], profs, day)
        n = len(spec.conditions)
        from .matching import decode_codes

        for r in df.iter_rows(named=True):
            e = ents[r["row"]]
            results[e.pk] = (r["status"], r["amount"], decode_codes(r["codes"], n))
    return _store(policy, policy.published_version, spec, results, set(by_id), by_id, trigger)


def publish_policy(user, policy: Policy, system: bool = False) -> list:
    """Publish the current version; notify exactly the enterprises it newly matches."""
    if not system:
        require_owner(user, policy)
    spec = S.spec_of(policy)
    with transaction.atomic():
        policy.status = Policy.Status.PUBLISHED
        policy.published_version = policy.version
        policy.published_spec = policy.spec
        policy.published_at = timezone.now()
        policy.save()
        PolicyVersion.objects.filter(policy=policy, number=policy.version).update(
            published_at=policy.published_at
        )
        record(
            actor=user,
            action="policy.publish",
            obj=policy,
            after={"version": policy.version, "title": spec.title},
        )
    return rematch_policy(policy, trigger="publish")


def archive_policy(user, policy: Policy) -> None:
    require_owner(user, policy)
    policy.status = Policy.Status.ARCHIVED
    policy.save(update_fields=["status"])
    PolicyMatch.objects.filter(policy=policy).delete()
    record(actor=user, action="policy.archive", obj=policy)


BULK_REMATCH = 50  # above this many changed enterprises, re-match them columnar


def rematch_enterprises(enterprise_ids, trigger: str = "data_change", as_of: date | None = None):
    """After an enterprise's data changed: re-match it against every published policy (scalar,
    with reasons) and push the new matches. Returns {enterprise pk: [policies newly matched]}."""
    from srdi.registry.models import Enterprise

    day = as_of or date.today()
    ids = list(enterprise_ids)
    qs = Enterprise.objects.filter(pk__in=ids)
    if len(ids) > BULK_REMATCH:  # e.g. after an import: one columnar job for all of them
        rematch_all(day, queryset=qs, trigger=trigger)
        return {}
    pols = S.published_policies(day)
    out = {}
    ents, profs = S.profiles_of(qs)
    for e, prof in zip(ents, profs, strict=True):
        res = match_profile([s for _p, s in pols], prof, day)
        newly = []
        for (p, s), r in zip(pols, res, strict=True):
            results = {}
            if r["status"] != "ineligible":
                results[e.pk] = (r["status"], r["amount"], [c["met"] for c in r["conditions"]])
            if _store(p, p.published_version, s, results, {e.pk}, {e.pk: e}, trigger):
                newly.append(p)
        out[e.pk] = newly
    return out


def rematch_all(
    as_of: date | None = None,
    job_id: int | None = None,
    queryset=None,
    trigger: str = "rematch",
) -> dict:
    """Full re-match: all enterprises (or ``queryset``) × all published policies as one columnar
    (Polars) job; stores the matches and pushes the new ones."""
    from srdi.core import jobs
    from srdi.registry.models import Enterprise

    from .matching import decode_codes

    day = as_of or date.today()
    pols = S.published_policies(day)
    if job_id:
        jobs.start(job_id, total=len(pols) + 1)
    ents, profs = S.profiles_of(Enterprise.objects.all() if queryset is None else queryset)
    by_id = {e.pk: e for e in ents}
    specs = [s for _p, s in pols]
    df = match_all(specs, profs, day) if profs and specs else None
    per: dict[int, dict] = {i: {} for i in range(len(pols))}
    if df is not None:
        for r in df.iter_rows(named=True):
            j = r["policy"]
            e = ents[r["row"]]
            per[j][e.pk] = (
                r["status"],
                r["amount"],
                decode_codes(r["codes"], len(specs[j].conditions)),
            )
    if job_id:
        jobs.progress(job_id, 1, _("匹配计算完成，正在保存"))
    total_new = 0
    counts = {}
    for j, (p, s) in enumerate(pols):
        newly = _store(p, p.published_version, s, per[j], set(by_id), by_id, trigger)
        total_new += len(newly)
        counts[p.key] = sum(1 for v in per[j].values() if v[0] == ELIGIBLE)
        if job_id:
            jobs.progress(job_id, j + 2)
    if job_id:
        jobs.finish(
            job_id,
            message=_("已匹配 %(e)d 家企业 × %(p)d 项政策，新增推送 %(n)d 家次")
            % {"e": len(ents), "p": len(pols), "n": total_new},
        )
    return {"enterprises": len(ents), "policies": len(pols), "new": total_new, "eligible": counts}


# ---------------------------------------------------------------------------------------------
# mutes


def set_mutes(user, enterprise, categories: list[str]) -> None:
    if not scopes.may_write(user, enterprise, "policy_mutes") and not (
        user.role == "enterprise" and user.enterprise_id == enterprise.pk
    ):
        raise PermissionDenied(_("您无权修改该企业的推送设置。"))
    before = sorted(
        CategoryMute.objects.filter(enterprise=enterprise).values_list("category", flat=True)
    )
    CategoryMute.objects.filter(enterprise=enterprise).exclude(category__in=categories).delete()
    for c in categories:
        CategoryMute.objects.get_or_create(enterprise=enterprise, category=c)
    record(
        actor=user,
        action="policy.mutes",
        obj=enterprise,
        before={"muted": before},
        after={"muted": sorted(categories)},
    )


# ---------------------------------------------------------------------------------------------
# applications (一键直达)


def prefill(policy: Policy, enterprise) -> dict:
    """The application form pre-filled from the registry and the match."""
    spec = S.spec_of(policy, published=True)
    prof = S.profile_of(enterprise)
    day = date.today()
    r = match_profile([spec], prof, day)[0]
    y = day.year - 1
    fig = prof.years.get(y, {})

    def n(v):
        return None if v is None else C.to_json_value(v)

    return {
        "enterprise": {
            "uscc": enterprise.uscc,
            "name": enterprise.name,
            "region": enterprise.region.name if enterprise.region_id else "",
            "industry_code": enterprise.industry_code,
            "main_product": enterprise.main_product,
        },
        "year": y,
        "figures": {
            "revenue": n(fig.get("revenue")),
            "main_revenue": n(fig.get("main_revenue")),
            "employees": n(fig.get("employees")),
            "rd_expense": n(fig.get("rd_expense")),
            "local_contribution": n(fig.get("local_contribution")),
            "net_profit": n(fig.get("net_profit")),
        },
        "titles": [
            {k: C.to_json_value(v) for k, v in t.items()} for t in prof.lists.get("titles", [])
        ],
        "match": {
            "status": r["status"],
            "conditions": [{"label": c["label"], "met": c["met"]} for c in r["conditions"]],
            "amount": r["amount"],
            "amount_note": r["amount_note"],
        },
        "materials": spec.materials,
        "contact_person": "",
        "contact_phone": "",
        "remarks": "",
    }


def may_apply(user, enterprise) -> bool:
    """Whether 一键申报 may be offered to the user for this enterprise (same rule as below)."""
    try:
        _require_applicant(user, enterprise)
    except (PermissionDenied, Http404):
        return False
    return True


def may_set_mutes(user, enterprise) -> bool:
    """Whether 推送设置 may be offered (the same rule set_mutes checks)."""
    return bool(
        scopes.may_write(user, enterprise, "policy_mutes")
        or (user.role == "enterprise" and user.enterprise_id == enterprise.pk)
    )


def _require_applicant(user, enterprise) -> None:
    scopes.require_view(user, enterprise)
    if not (
        (user.role == "enterprise" and user.enterprise_id == enterprise.pk)
        or scopes.may_write(user, enterprise, "applications")
    ):
        raise PermissionDenied(_("您无权代该企业申报。"))


def start_application(user, policy: Policy, enterprise) -> Application:
    _require_applicant(user, enterprise)
    if policy.status != Policy.Status.PUBLISHED:
        raise ValidationError(_("该政策尚未发布，不能申报。"))
    existing = Application.objects.filter(
        policy=policy, enterprise=enterprise, status__in=["draft", "submitted", "approved"]
    ).first()
    if existing:
        return existing
    data = prefill(policy, enterprise)
    amt = data["match"]["amount"]
    app = Application.objects.create(
        policy=policy,
        version=policy.published_version or policy.version,
        enterprise=enterprise,
        data=data,
        amount_estimated=None if amt is None else Decimal(str(amt)),
        created_by=user,
    )
    record(actor=user, action="policy.application.create", obj=app, after={"policy": policy.key})
    return app


def update_application(
    user,
    app: Application,
    *,
    contact_person: str,
    contact_phone: str,
    remarks: str,
    amount_requested: Decimal | None,
) -> Application:
    _require_applicant(user, app.enterprise)
    if app.status != Application.Status.DRAFT:
        raise ValidationError(_("已提交的申报不能再修改。"))
    before = {"data": app.data, "amount_requested": app.amount_requested}
    app.data = {
        **app.data,
        "contact_person": contact_person,
        "contact_phone": contact_phone,
        "remarks": remarks,
    }
    app.amount_requested = amount_requested
    app.save()
    record(
        actor=user,
        action="policy.application.edit",
        obj=app,
        before=before,
        after={"data": app.data, "amount_requested": amount_requested},
    )
    return app


def submit_application(user, app: Application) -> Application:
    _require_applicant(user, app.enterprise)
    if app.status != Application.Status.DRAFT:
        raise ValidationError(_("只有草稿可以提交。"))
    if not app.data.get("contact_person") or not app.data.get("contact_phone"):
        raise ValidationError(_("请先填写联系人和联系电话。"))
    app.status = Application.Status.SUBMITTED
    app.submitted_at = timezone.now()
    app.save()
    dept = R.reviewing_department(app.policy)
    record(
        actor=user,
        action="policy.application.submit",
        obj=app,
        after={"status": app.status, "review_department": dept},
    )
    notify_reviewers(app)
    return app


def notify_reviewers(app: Application) -> list:
    """Tell the reviewing department (inbox + e-mail) that an application waits for review."""
    n_att = app.attachments.count()
    body = _(
        "%(ent)s 申报《%(title)s》，已提交，等待%(dept)s审核。\n申报材料：%(n)d 份。"
        "请登录平台查看各项条件的当前结果并审核。"
    ) % {
        "ent": app.enterprise.name,
        "title": app.policy.title,
        "dept": R.department_label(R.reviewing_department(app.policy)),
        "n": n_att,
    }
    return notify(
        R.reviewers(app.policy),
        kind="policy_review",
        title=_("待审核申报：%(t)s") % {"t": app.policy.title},
        body=body,
        link=f"/policies/applications/{app.pk}/",
        dedupe_key=f"application:{app.pk}:review",
        enterprise_uscc=app.enterprise.uscc,
        email=True,
    )


def _require_reviewer(user, app: Application) -> None:
    scopes.require_view(user, app.enterprise)
    if not R.may_review(user, app.policy):
        raise PermissionDenied(
            _("该申报由%(d)s审核。") % {"d": R.department_label(R.reviewing_department(app.policy))}
        )


def current_conditions(app: Application) -> list[dict]:
    """Each condition of the policy evaluated now on the enterprise's current data."""
    spec = S.spec_of(app.policy, published=True)
    r = match_profile([spec], S.profile_of(app.enterprise), date.today())[0]
    return [{"label": c["label"], "met": c["met"]} for c in r["conditions"]]


def review_application(
    user,
    app: Application,
    *,
    approve: bool,
    reason: str,
    amount: Decimal | None = None,
    confirm_unmet: bool = False,
) -> Application:
    _require_reviewer(user, app)
    if app.status != Application.Status.SUBMITTED:
        raise ValidationError(_("只有已提交的申报可以审核。"))
    if not approve and not reason.strip():
        raise ValidationError(_("驳回时必须填写理由。"))
    if approve:
        unmet = [c["label"] for c in current_conditions(app) if c["met"] is not True]
        if unmet and not confirm_unmet:
            raise ValidationError(
                _(
                    "以下条件当前未满足或无法判断：%(c)s。如确认仍要批准，请勾选“确认批准未满足条件的申报”并在审核意见中说明理由。"
                )
                % {"c": "；".join(unmet)}
            )
        if unmet and not reason.strip():
            raise ValidationError(_("批准未满足条件的申报时，必须在审核意见中说明理由。"))
    if approve and amount is None:
        raise ValidationError(_("批准时请填写核定金额（万元）。"))
    if amount is not None and amount < 0:
        raise ValidationError(_("核定金额不能为负数。"))
    if (
        approve
        and amount is not None
        and app.amount_estimated is not None
        and amount > app.amount_estimated
        and not reason.strip()
    ):
        raise ValidationError(
            _("核定金额 %(a)s 超过按政策公式测算的 %(e)s，请在审核意见中写明理由。")
            % {"a": fmt.wan(amount), "e": fmt.wan(app.amount_estimated)}
        )
    app.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    app.review_reason = reason
    app.amount_approved = amount if approve else None
    app.reviewed_by = user
    app.reviewed_at = timezone.now()
    app.save()
    record(
        actor=user,
        action="policy.application.review",
        obj=app,
        after={"status": app.status, "reason": reason, "amount": amount},
        note=_("确认批准未满足条件的申报") if approve and confirm_unmet else "",
    )
    notify(
        list(app.enterprise.users.filter(is_active=True)),
        kind="policy_application",
        title=_("申报结果：%(t)s") % {"t": app.policy.title},
        body=(_("已批准，核定金额 %(a)s。") % {"a": _wan(amount)})
        if approve
        else (_("已驳回，理由：%(r)s") % {"r": reason}),
        link=f"/policies/applications/{app.pk}/",
        dedupe_key=f"application:{app.pk}:{app.status}",
        enterprise_uscc=app.enterprise.uscc,
        email=True,
    )
    return app


def pay_application(user, app: Application, *, amount: Decimal, paid_on: date) -> Application:
    _require_reviewer(user, app)
    if app.status != Application.Status.APPROVED:
        raise ValidationError(_("只有已批准的申报可以登记兑付。"))
    if amount is None or amount <= 0:
        raise ValidationError(_("兑付金额应大于 0。"))
    app.status = Application.Status.PAID
    app.amount_paid = amount
    app.paid_on = paid_on
    app.save()
    record(
        actor=user,
        action="policy.application.pay",
        obj=app,
        after={"amount_paid": amount, "paid_on": paid_on},
    )
    from srdi.core import formatting as F

    notify(
        list(app.enterprise.users.filter(is_active=True)),
        kind="policy_application",
        title=_("兑付到账：%(t)s") % {"t": app.policy.title},
        body=_("已兑付 %(a)s，兑付日期 %(d)s。") % {"a": F.wan(amount), "d": F.date_zh(paid_on)},
        link=f"/policies/applications/{app.pk}/",
        dedupe_key=f"application:{app.pk}:paid",
        enterprise_uscc=app.enterprise.uscc,
        email=True,
    )
    return app


def _wan(v) -> str:
    from srdi.core import formatting as F

    return F.wan(v)


# ---------------------------------------------------------------------------------------------
# 申报材料 (attachments)


def add_attachment(user, app: Application, *, material: str, upload) -> ApplicationAttachment:
    """Keep one 申报材料 file with a draft application (type and size checked)."""
    _require_applicant(user, app.enterprise)
    if app.status != Application.Status.DRAFT:
        raise ValidationError(_("已提交的申报不能再修改申报材料。"))
    listed = list(app.data.get("materials") or [])
    if listed and material not in listed:
        raise ValidationError(_("请选择政策列出的申报材料。"))
    if not material.strip():
        raise ValidationError(_("请填写材料名称。"))
    lim = R.limits()
    if app.attachments.count() >= lim["max_files"]:
        raise ValidationError(_("每份申报最多上传 %(n)d 个文件。") % {"n": lim["max_files"]})
    kind = R.check_upload(upload)
    import os

    name = os.path.basename(upload.name)[:150]
    att = ApplicationAttachment(
        application=app,
        material=material.strip()[:200],
        original_name=name,
        kind=kind,
        size=upload.size,
        uploaded_by=user,
    )
    att.file.save(f"{timezone.now():%Y%m%d%H%M%S}.{kind}", upload, save=False)
    att.save()
    record(
        actor=user,
        action="policy.application.attach",
        obj=app,
        after={"material": att.material, "file": name, "size": att.size},
    )
    return att


def remove_attachment(user, att: ApplicationAttachment) -> None:
    app = att.application
    _require_applicant(user, app.enterprise)
    if app.status != Application.Status.DRAFT:
        raise ValidationError(_("已提交的申报不能再修改申报材料。"))
    before = {"material": att.material, "file": att.original_name}
    att.file.delete(save=False)
    att.delete()
    record(actor=user, action="policy.application.detach", obj=app, before=before)
