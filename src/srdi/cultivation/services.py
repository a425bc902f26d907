"""Every write of the cultivation app (audited): batches, title lifecycle, pool, alerts, figures."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from srdi.accounts import scopes
from srdi.accounts.models import User
from srdi.accounts.roles import Role
from srdi.audit.services import record
from srdi.core import formatting
from srdi.core.notifications import notify
from srdi.exchange.uscc import check_uscc
from srdi.registry.models import AnnualFigures, Enterprise, Region, Title

from . import lifecycle, selectors
from .models import (
    LEVEL_LABELS,
    TIER_LABELS,
    Alert,
    KeyLinkProduct,
    ManualFigure,
    PoolEntry,
    TitleBatch,
    TitleEvent,
)

# ---------------------------------------------------------------- permissions


def require_batch_admin(user) -> None:
    """Recording an announced batch is the 市工信局's job."""
    scopes.require_admin(user)


def require_pool_write(user, enterprise: Enterprise) -> None:
    """Officials who follow the enterprise up: admin, its 板块 officer, its commissioner."""
    if scopes.may_write(user, enterprise, "pool") and scopes.is_official(user):
        return
    if (
        getattr(user, "role", None) == Role.COMMISSIONER
        and user.is_authenticated
        and enterprise.commissioners.filter(pk=user.pk).exists()
    ):
        return
    raise PermissionDenied("您无权登记该企业的培育信息。")


def require_title_write(user, enterprise: Enterprise) -> None:
    scopes.require_official(user)
    scopes.require_write(user, enterprise, "titles")


# ---------------------------------------------------------------- announced batches (公告名单)

_PAREN = str.maketrans({"（": "(", "）": ")", "\u3000": "", " ": ""})
NAME_HEADERS = ("企业名称", "名称", "单位名称", "企业")
USCC_HEADERS = ("统一社会信用代码", "信用代码", "社会信用代码", "USCC")


def normalise_name(name: str) -> str:
    return re.sub(r"\s+", "", str(name)).translate(_PAREN)


@dataclass
class ListRow:
    row: int
    uscc: str = ""
    name: str = ""

    @property
    def text(self) -> str:
        return " ".join(x for x in (self.uscc, self.name) if x)


@dataclass
class BatchResult:
    batch: TitleBatch
    titles: list = field(default_factory=list)


def read_announcement(content: bytes) -> list[ListRow]:
    """The rows of an announced list (xlsx): a header row with 企业名称 and/or 统一社会信用代码,
    or, without one, one name or USCC per row in the first column."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's problem to fix
        raise ValidationError(f"无法读取名单文件（应为 .xlsx）：{exc}") from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    name_col = uscc_col = None
    header_at = None
    for i, r in enumerate(rows[:10]):
        cells = [str(c).strip() if c is not None else "" for c in r]
        for j, c in enumerate(cells):
            if any(h == c or (h in c and len(c) <= 12) for h in USCC_HEADERS):
                uscc_col = j if uscc_col is None else uscc_col
            elif any(h == c or (h in c and len(c) <= 8) for h in NAME_HEADERS):
                name_col = j if name_col is None else name_col
        if name_col is not None or uscc_col is not None:
            header_at = i
            break
    out: list[ListRow] = []
    start = 0 if header_at is None else header_at + 1
    for i, r in enumerate(rows[start:], start + 1):
        cells = [str(c).strip() if c is not None else "" for c in r]
        if not any(cells):
            continue
        if header_at is None:
            v = next((c for c in cells if c), "")
            is_code = len(v) == 18 and v.isalnum() and check_uscc(v) is None
            out.append(ListRow(i, uscc=v.upper() if is_code else "", name="" if is_code else v))
        else:
            u = cells[uscc_col] if uscc_col is not None and uscc_col < len(cells) else ""
            n = cells[name_col] if name_col is not None and name_col < len(cells) else ""
            if u or n:
                out.append(ListRow(i, uscc=u.upper(), name=n))
    if not out:
        raise ValidationError(
            "名单文件中没有企业：请在第一张工作表填写“企业名称”或“统一社会信用代码”列。"
        )
    return out


def _suggest(name: str) -> list[str]:
    core = normalise_name(name)
    for noise in ("股份有限公司", "有限责任公司", "有限公司", "常熟市", "常熟", "江苏"):
        core = core.replace(noise, "")
    if len(core) < 2:
        return []
    return list(
        Enterprise.objects.filter(name__contains=core[:6]).values_list("name", flat=True)[:3]
    )


def match_rows(rows: list[ListRow]) -> tuple[list[tuple[ListRow, Enterprise]], list[dict]]:
    """Match each row to one enterprise: by USCC when given, else by name (exact, then with
    full-/half-width brackets and spaces ignored). Returns (matched, unmatched problems)."""
    usccs = {r.uscc for r in rows if r.uscc}
    by_uscc = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs)}
    names = {r.name for r in rows if r.name and not r.uscc}
    variants = set()
    for n in names:
        norm = normalise_name(n)
        variants |= {n, norm, norm.replace("(", "（").replace(")", "）")}
    by_name: dict[str, list[Enterprise]] = {}
    for e in Enterprise.objects.filter(name__in=variants):
        by_name.setdefault(normalise_name(e.name), []).append(e)
    matched, problems = [], []
    for r in rows:
        if r.uscc:
            err = check_uscc(r.uscc)
            if err:
                problems.append({"row": r.row, "text": r.text, "reason": err, "suggestions": []})
                continue
            e = by_uscc.get(r.uscc)
            if e is None:
                problems.append(
                    {
                        "row": r.row,
                        "text": r.text,
                        "reason": "企业库中没有该统一社会信用代码的企业",
                        "suggestions": _suggest(r.name) if r.name else [],
                    }
                )
                continue
            if r.name and normalise_name(r.name) != normalise_name(e.name):
                problems.append(
                    {
                        "row": r.row,
                        "text": r.text,
                        "reason": f"名称与企业库不一致（企业库为“{e.name}”）",
                        "suggestions": [e.name],
                    }
                )
                continue
            matched.append((r, e))
            continue
        found = by_name.get(normalise_name(r.name), [])
        if len(found) == 1:
            matched.append((r, found[0]))
        elif len(found) > 1:
            problems.append(
                {
                    "row": r.row,
                    "text": r.text,
                    "reason": "企业库中有多家同名企业，请改填统一社会信用代码",
                    "suggestions": [f"{e.name} {e.uscc}" for e in found],
                }
            )
        else:
            problems.append(
                {
                    "row": r.row,
                    "text": r.text,
                    "reason": "企业库中没有该名称的企业",
                    "suggestions": _suggest(r.name),
                }
            )
    return matched, problems


def record_batch(
    user,
    *,
    content: bytes,
    filename: str,
    name: str,
    tier: str,
    level: str,
    granted: dt.date,
    valid_until: dt.date | None = None,
    mode: str = TitleBatch.Mode.ALL_OR_NOTHING,
) -> BatchResult:
    """Record an announced batch from its list: titles created, unmatched rows reported.

    All-or-nothing by default: one unmatched row and no title is created (the batch and its
    original file are kept with the report). In partial mode the matched rows are recorded.
    """
    require_batch_admin(user)
    if tier not in TIER_LABELS:
        raise ValidationError(f"未知的梯度：{tier}")
    if level not in LEVEL_LABELS:
        raise ValidationError(f"未知的级别：{level}")
    if not name.strip():
        raise ValidationError("请填写批次名称（如“2025年度第七批”）。")
    until = valid_until or lifecycle.valid_until(tier, granted)
    if until < granted:
        raise ValidationError("有效期至不能早于认定日期。")
    rows = read_announcement(content)
    matched, problems = match_rows(rows)
    seen: set[int] = set()
    unique = []
    for r, e in matched:
        if e.pk in seen:
            problems.append(
                {"row": r.row, "text": r.text, "reason": "名单中重复出现", "suggestions": []}
            )
            continue
        seen.add(e.pk)
        unique.append((r, e))
    if problems and mode == TitleBatch.Mode.ALL_OR_NOTHING:
        status = TitleBatch.Status.REJECTED
    elif problems:
        status = TitleBatch.Status.PARTIAL
    else:
        status = TitleBatch.Status.APPLIED
    result_titles = []
    with transaction.atomic():
        batch = TitleBatch(
            name=name.strip(),
            tier=tier,
            level=level,
            granted=granted,
            valid_until=until,
            original_name=filename[:255],
            mode=mode,
            status=status,
            total=len(rows),
            matched=len(unique),
            unmatched=sorted(problems, key=lambda p: p["row"]),
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        batch.file.save(filename, ContentFile(content), save=False)
        batch.save()
        if status != TitleBatch.Status.REJECTED:
            existing = set(
                Title.objects.filter(
                    enterprise_id__in=[e.pk for _, e in unique],
                    tier=tier,
                    level=level,
                    granted=granted,
                ).values_list("enterprise_id", flat=True)
            )
            for _r, e in unique:
                if e.pk in existing:
                    batch.already += 1
                    continue
                t = Title.objects.create(
                    enterprise=e,
                    tier=tier,
                    level=level,
                    granted=granted,
                    valid_until=until,
                    batch=batch.name,
                )
                TitleEvent.objects.create(
                    title=t,
                    kind=TitleEvent.Kind.GRANTED,
                    on=granted,
                    batch=batch,
                    actor=_actor(user),
                )
                record(
                    actor=user,
                    action="title.create",
                    obj=t,
                    after=_title_dict(t),
                    note=f"认定批次 {batch.name}",
                )
                result_titles.append(t)
            batch.created = len(result_titles)
            batch.save(update_fields=["created", "already"])
        record(
            actor=user,
            action="batch.upload",
            obj=batch,
            after={
                "name": batch.name,
                "tier": tier,
                "level": level,
                "granted": granted,
                "valid_until": until,
                "status": status,
                "total": batch.total,
                "created": batch.created,
                "unmatched": len(problems),
            },
        )
    selectors.bump_version()
    return BatchResult(batch, result_titles)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _title_dict(t: Title) -> dict:
    return {
        "tier": t.tier,
        "level": t.level,
        "granted": t.granted,
        "valid_until": t.valid_until,
        "batch": t.batch,
        "status": t.status,
        "revoked_reason": t.revoked_reason,
        "revoked_at": t.revoked_at,
    }


# ---------------------------------------------------------------- title lifecycle


def _change(user, title: Title, kind: str, on: dt.date, note: str = "", reason: str = "", **fields):
    before = _title_dict(title)
    for k, v in fields.items():
        setattr(title, k, v)
    title.save(update_fields=list(fields))
    TitleEvent.objects.create(
        title=title, kind=kind, on=on, reason_code=reason, note=note[:255], actor=_actor(user)
    )
    record(
        actor=user,
        action=f"title.{kind}",
        obj=title,
        before=before,
        after=_title_dict(title),
        note=note,
    )
    selectors.bump_version()
    return title


def start_review(user, title: Title, on: dt.date | None = None, note: str = "") -> Title:
    require_title_write(user, title.enterprise)
    if title.status == Title.Status.REVOKED:
        raise ValidationError("已撤销的称号不能进入复核。")
    return _change(
        user,
        title,
        TitleEvent.Kind.REVIEW,
        on or timezone.localdate(),
        note,
        status=Title.Status.UNDER_REVIEW,
    )


def renew(user, title: Title, on: dt.date | None = None, note: str = "") -> Title:
    """Review passed: valid for another period from the day after the old end."""
    require_title_write(user, title.enterprise)
    if title.status == Title.Status.REVOKED:
        raise ValidationError("已撤销的称号不能复核通过。")
    if title.valid_until is None:
        raise ValidationError("该称号没有有效期，无法延续。")
    start = title.valid_until + dt.timedelta(days=1)
    return _change(
        user,
        title,
        TitleEvent.Kind.RENEWED,
        on or timezone.localdate(),
        note,
        status=Title.Status.VALID,
        valid_until=lifecycle.valid_until(title.tier, start),
    )


def revoke(
    user, title: Title, reason_code: str, on: dt.date | None = None, note: str = ""
) -> Title:
    require_title_write(user, title.enterprise)
    try:
        label = lifecycle.revocation_label(reason_code)
    except KeyError:
        codes = "、".join(r["code"] for r in lifecycle.revocation_reasons())
        raise ValidationError(f"撤销原因“{reason_code}”无效，可选：{codes}") from None
    if reason_code == "other" and not note.strip():
        raise ValidationError("撤销原因为“其他”时请在备注中写明。")
    reason = label + (f"：{note.strip()}" if note.strip() else "")
    return _change(
        user,
        title,
        TitleEvent.Kind.REVOKED,
        on or timezone.localdate(),
        note,
        reason=reason_code,
        status=Title.Status.REVOKED,
        revoked_reason=reason[:255],
        revoked_at=on or timezone.localdate(),
    )


def expire_due(day: dt.date) -> int:
    """Mark valid titles whose last day is before `day` as expired (daily, by the system)."""
    n = 0
    for t in Title.objects.filter(status=Title.Status.VALID, valid_until__lt=day):
        _change(
            None,
            t,
            TitleEvent.Kind.EXPIRED,
            t.valid_until + dt.timedelta(days=1),
            status=Title.Status.EXPIRED,
        )
        n += 1
    return n


# ---------------------------------------------------------------- pool


def _entry(enterprise: Enterprise, tier: str) -> PoolEntry:
    if tier not in lifecycle.ladder():
        raise ValidationError(f"培育目标“{tier}”无效。")
    entry, _ = PoolEntry.objects.get_or_create(enterprise=enterprise, tier=tier)
    return entry


def _pool_dict(e: PoolEntry) -> dict:
    return {
        "tier": e.tier,
        "meets": e.meets,
        "willing": e.willing,
        "willing_on": e.willing_on,
        "applied_on": e.applied_on,
        "applied_year": e.applied_year,
        "note": e.note,
    }


def record_willingness(
    user, enterprise: Enterprise, tier: str, willing: bool, note: str = "", on=None
) -> PoolEntry:
    require_pool_write(user, enterprise)
    with transaction.atomic():
        entry = _entry(enterprise, tier)
        before = _pool_dict(entry)
        entry.willing = bool(willing)
        entry.willing_on = (on or timezone.localdate()) if willing else None
        if note:
            entry.note = note[:255]
        entry.updated_by = _actor(user)
        entry.updated_at = timezone.now()
        entry.save()
        record(actor=user, action="pool.willing", obj=entry, before=before, after=_pool_dict(entry))
    selectors.bump_version()
    return entry


def record_application(
    user, enterprise: Enterprise, tier: str, applied_on: dt.date | None, note: str = ""
) -> PoolEntry:
    """Record (or with applied_on=None withdraw) an application for the tier."""
    require_pool_write(user, enterprise)
    if applied_on and applied_on > timezone.localdate():
        raise ValidationError("申报日期不能晚于今天。")
    with transaction.atomic():
        entry = _entry(enterprise, tier)
        before = _pool_dict(entry)
        entry.applied_on = applied_on
        entry.applied_year = applied_on.year if applied_on else None
        if applied_on and not entry.willing:
            entry.willing, entry.willing_on = True, applied_on
        if note:
            entry.note = note[:255]
        entry.updated_by = _actor(user)
        entry.updated_at = timezone.now()
        entry.save()
        record(actor=user, action="pool.applied", obj=entry, before=before, after=_pool_dict(entry))
    selectors.bump_version()
    return entry


def add_key_link_product(
    user, enterprise: Enterprise, product: str, chain: str, link: str = "", note: str = ""
) -> KeyLinkProduct:
    require_pool_write(user, enterprise)
    if not product.strip() or not chain.strip():
        raise ValidationError("请填写产品名称和所属产业链。")
    obj = KeyLinkProduct.objects.create(
        enterprise=enterprise,
        product=product.strip(),
        chain=chain.strip(),
        link=link.strip(),
        note=note,
        added_by=_actor(user),
    )
    record(
        actor=user,
        action="pool.keylink",
        obj=obj,
        after={"product": obj.product, "chain": obj.chain, "link": obj.link},
    )
    selectors.bump_version()
    return obj


def refresh_pool(tier: str, day: dt.date, queryset=None, everyone: bool = False) -> dict:
    """Ask the rules core whether each candidate meets the conditions of `tier` on `day`.

    Candidates: the potential pool for the tier and enterprises already in it (or `everyone`),
    minus those that hold the tier. An enterprise that newly meets the conditions gets a
    "新符合更高梯度条件" alert.
    """
    from .rules_adapter import meets_for

    base = Enterprise.objects.all() if queryset is None else queryset
    if not everyone:
        flags = selectors.stage_flags(tier, day)
        base = base.filter(flags["potential"])
    base = base.exclude(selectors.holds_exists(day, [tier]))
    existing = {
        e.enterprise_id: e for e in PoolEntry.objects.filter(tier=tier, enterprise__in=base)
    }
    counts = {"evaluated": 0, "meets": 0, "newly": 0, "undetermined": 0}
    new_alerts = []
    for pk, sid, ok in meets_for(base, tier, day):
        counts["evaluated"] += 1
        entry = existing.get(pk)
        was = entry.meets if entry else None
        if entry is None:
            entry = PoolEntry(enterprise_id=pk, tier=tier)
        entry.meets, entry.meets_standard, entry.meets_checked_on = ok, sid, day
        if ok:
            counts["meets"] += 1
            if was is not True:
                entry.meets_since = day
                counts["newly"] += 1
                new_alerts.append((pk, sid))
        elif ok is None:
            counts["undetermined"] += 1
        entry.save()
    for pk, sid in new_alerts:
        e = Enterprise.objects.select_related("region").get(pk=pk)
        _raise_alert(
            Alert.Kind.NEW_TIER,
            e,
            f"new_tier:{e.uscc}:{tier}:{day.year}",
            f"{e.name} 经测算已符合{TIER_LABELS[tier]}认定条件，可动员申报",
            day,
            tier=tier,
            detail={"standard": sid},
        )
    selectors.bump_version()
    return counts


# ---------------------------------------------------------------- monitoring and alerts


def alert_recipients(enterprise: Enterprise) -> list:
    """The 板块 officers of the enterprise's 板块 and its commissioners."""
    users = (
        list(
            User.objects.filter(
                role=Role.REGION_OFFICER, region_id=enterprise.region_id, is_active=True
            )
        )
        if enterprise.region_id
        else []
    )
    users += list(enterprise.commissioners.filter(is_active=True))
    return users


def _raise_alert(
    kind, enterprise, key, message, day, *, title=None, tier="", detail=None
) -> Alert | None:
    """Create the alert once (per dedupe key) and notify the people who follow the enterprise."""
    alert, created = Alert.objects.get_or_create(
        dedupe_key=key,
        defaults={
            "kind": kind,
            "enterprise": enterprise,
            "region_id": enterprise.region_id,
            "title": title,
            "tier": tier,
            "message": message[:500],
            "detail": detail or {},
            "detected_on": day,
        },
    )
    if not created:
        if alert.closed_at is not None:  # closed by hand with a note: stays closed
            return None
        if alert.resolved_on is not None:  # the problem came back
            alert.resolved_on = None
            alert.detected_on = day
            alert.save(update_fields=["resolved_on", "detected_on"])
        else:
            return None
    notify(
        alert_recipients(enterprise),
        kind="cultivation_alert",
        category=str(Alert.Kind(kind).label),
        title=message[:200],
        body=message,
        link=f"/cultivation/alerts/?kind={kind}",
        dedupe_key=f"alert:{key}:{alert.detected_on.isoformat()}",
        enterprise_uscc=enterprise.uscc,
    )
    return alert


def _ratio(num, den):
    from fractions import Fraction

    if num is None or not den:
        return None
    return Fraction(Decimal(num)) * 100 / Fraction(Decimal(den))


def review_failures(figures: dict[int, AnnualFigures], checks: list[dict], year: int) -> list[dict]:
    """Checks of a review standard that the figures fail (unknown figures are not failures)."""
    from fractions import Fraction

    ops = {
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    out = []
    for c in checks:
        for ylabel in c["years"]:
            y = year - (1 if ylabel == "y1" else 2)
            f = figures.get(y)
            if f is None:
                continue
            m = c["measure"]
            if m == "debt_ratio":
                v = _ratio(f.total_liabilities, f.total_assets)
            elif m == "rd_intensity":
                v = _ratio(f.rd_expense, f.revenue)
            elif m == "main_share":
                v = _ratio(f.main_revenue, f.revenue)
            elif m == "rd_expense":
                v = None if f.rd_expense is None else Fraction(Decimal(f.rd_expense))
            else:
                raise ValueError(f"未知的复核监测指标：{m}")
            if v is None:
                continue
            if not ops[c["op"]](v, Fraction(Decimal(str(c["threshold"])))):
                out.append(
                    {
                        "check": c["id"],
                        "label": c["label"],
                        "year": y,
                        "value": float(round(v, 2)),
                        "threshold": c["threshold"],
                        "unit": c.get("unit", ""),
                    }
                )
    return out


@dataclass
class Finding:
    kind: str
    enterprise: Enterprise
    key: str
    message: str
    title: Title | None = None
    tier: str = ""
    detail: dict = field(default_factory=dict)


def _apply_findings(findings: list[Finding], day: dt.date, kinds: list[str]) -> dict:
    """Store the day's findings in bulk: new alerts created and notified once, alerts that
    came back reopened and notified, open alerts of `kinds` no longer found resolved."""
    counts = {k: 0 for k in kinds} | {"resolved": 0}
    open_keys: dict[str, int] = {}
    resolved_keys: dict[str, int] = {}
    for pk, key, resolved in Alert.objects.filter(
        kind__in=kinds, closed_at__isnull=True
    ).values_list("pk", "dedupe_key", "resolved_on"):  # closed by hand: stays so
        (resolved_keys if resolved else open_keys)[key] = pk
    found = {f.key: f for f in findings}
    new = [f for k, f in found.items() if k not in open_keys and k not in resolved_keys]
    back = [f for k, f in found.items() if k in resolved_keys]
    with transaction.atomic():
        Alert.objects.bulk_create(
            [
                Alert(
                    kind=f.kind,
                    enterprise=f.enterprise,
                    region_id=f.enterprise.region_id,
                    title=f.title,
                    tier=f.tier,
                    dedupe_key=f.key,
                    message=f.message[:500],
                    detail=f.detail,
                    detected_on=day,
                )
                for f in new
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        back_pks = [resolved_keys[f.key] for f in back]
        for i in range(0, len(back_pks), 5000):
            Alert.objects.filter(pk__in=back_pks[i : i + 5000]).update(
                resolved_on=None, detected_on=day
            )
        stale = [pk for key, pk in open_keys.items() if key not in found]
        for i in range(0, len(stale), 5000):
            counts["resolved"] += Alert.objects.filter(pk__in=stale[i : i + 5000]).update(
                resolved_on=day
            )
    fresh = new + back
    for f in fresh:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    _notify_findings(fresh, day)
    return counts


def _notify_findings(findings: list[Finding], day: dt.date) -> None:
    """Notify each finding's 板块 officers and commissioners (recipients fetched in bulk)."""
    if not findings:
        return
    officers: dict[int, list] = {}
    for u in User.objects.filter(role=Role.REGION_OFFICER, is_active=True, region__isnull=False):
        officers.setdefault(u.region_id, []).append(u)
    ids = list({f.enterprise.pk for f in findings})
    commissioners: dict[int, list] = {}
    through = Enterprise.commissioners.through
    users = {}
    for i in range(0, len(ids), 5000):
        for eid, uid in through.objects.filter(enterprise_id__in=ids[i : i + 5000]).values_list(
            "enterprise_id", "user_id"
        ):
            commissioners.setdefault(eid, []).append(uid)
    if commissioners:
        wanted = {uid for v in commissioners.values() for uid in v}
        users = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
    for f in findings:
        e = f.enterprise
        recipients = officers.get(e.region_id, []) + [
            users[uid] for uid in commissioners.get(e.pk, []) if uid in users
        ]
        if not recipients:
            continue
        notify(
            recipients,
            kind="cultivation_alert",
            category=str(Alert.Kind(f.kind).label),
            title=f.message[:200],
            body=f.message,
            link=f"/cultivation/alerts/?kind={f.kind}",
            dedupe_key=f"alert:{f.key}:{day.isoformat()}",
            enterprise_uscc=e.uscc,
        )


def scan_alerts(day: dt.date) -> dict:
    """Daily monitoring: expiring titles, annual data not updated, review risks.

    Open alerts of these kinds that are no longer found are resolved.
    """
    findings: list[Finding] = []
    ladder = lifecycle.ladder()
    # 1. titles expiring within the warning window
    for t in selectors.expiring_titles(day):
        findings.append(
            Finding(
                Alert.Kind.EXPIRING,
                t.enterprise,
                f"expiring:{t.pk}:{t.valid_until.isoformat()}",
                f"{t.enterprise.name} 的{TIER_LABELS.get(t.tier, t.tier)}称号将于 "
                f"{t.valid_until:%Y-%m-%d} 到期，请提前准备复核",
                t,
                t.tier,
            )
        )
    # 2./3. title holders: annual data update, review standard
    held = (
        Title.objects.filter(selectors.holds_q(day), tier__in=ladder)
        .select_related("enterprise")
        .order_by("enterprise_id", "tier")
    )
    by_ent: dict[int, list[Title]] = {}
    for t in held:
        by_ent.setdefault(t.enterprise_id, []).append(t)
    ids = list(by_ent)
    figures: dict[int, dict[int, AnnualFigures]] = {}
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        for f in AnnualFigures.objects.filter(enterprise_id__in=chunk, year__gte=day.year - 2):
            figures.setdefault(f.enterprise_id, {})[f.year] = f
    for ent_id, titles in by_ent.items():
        top = max(titles, key=lambda t: ladder.index(t.tier))
        e = top.enterprise
        ent_figs = figures.get(ent_id, {})
        deadline = lifecycle.update_deadline(top.tier, day.year)
        prev = ent_figs.get(day.year - 1)
        if day > deadline and (prev is None or prev.revenue is None):
            findings.append(
                Finding(
                    Alert.Kind.NOT_UPDATED,
                    e,
                    f"not_updated:{e.uscc}:{day.year - 1}",
                    f"{e.name} 未在 {deadline:%Y-%m-%d} 前更新 {day.year - 1} 年度数据"
                    "（逾期将影响复核资格）",
                    top,
                    top.tier,
                    {"deadline": deadline.isoformat(), "year": day.year - 1},
                )
            )
        for t in titles:
            rule = lifecycle.review_standard(t.tier, max(day, t.valid_until or day))
            if not rule:
                continue
            fails = review_failures(ent_figs, lifecycle.review_checks(rule["standard"]), day.year)
            for f in fails:
                findings.append(
                    Finding(
                        Alert.Kind.REVIEW_RISK,
                        e,
                        f"review_risk:{t.pk}:{f['check']}:{f['year']}",
                        f"{e.name}（{TIER_LABELS.get(t.tier, t.tier)}）{f['year']}年 {f['label']} "
                        f"未达标：实际 {formatting.number(f['value'])}{f['unit']}"
                        f"（{TIER_LABELS.get(t.tier, t.tier)}复核标准）",
                        t,
                        t.tier,
                        f | {"standard": rule["standard"]},
                    )
                )
    counts = _apply_findings(
        findings, day, [Alert.Kind.EXPIRING, Alert.Kind.NOT_UPDATED, Alert.Kind.REVIEW_RISK]
    )
    selectors.bump_version()
    return counts


def digest(day: dt.date) -> int:
    """One daily summary per official with open alerts in scope that were found on `day`
    (e-mailed; the same day's digest is never sent twice). Returns digests sent."""
    sent = 0
    todays = Alert.objects.filter(detected_on=day, resolved_on__isnull=True)
    if not todays.exists():
        return 0
    officials = User.objects.filter(
        is_active=True, role__in=[Role.ADMIN, Role.REGION_OFFICER, Role.COMMISSIONER]
    )
    for user in officials:
        try:
            scope = selectors.scope_for(user)
        except PermissionDenied:
            continue
        qs = todays
        if scope.region_id is not None:
            qs = qs.filter(region_id=scope.region_id)
        elif scope.commissioner_id is not None:
            qs = qs.filter(enterprise__commissioners__id=scope.commissioner_id)
        rows = list(qs.select_related("enterprise")[:200])
        if not rows:
            continue
        total = qs.count()
        by_kind: dict[str, int] = {}
        for k in qs.values_list("kind", flat=True):
            by_kind[k] = by_kind.get(k, 0) + 1
        head = "；".join(f"{Alert.Kind(k).label} {n} 条" for k, n in sorted(by_kind.items()))
        body = "\n".join(f"· {a.message}" for a in rows[:50])
        if total > 50:
            body += f"\n…… 共 {total} 条，请登录平台查看。"
        if notify(
            [user],
            kind="cultivation_digest",
            category="监测预警",
            title=f"{day:%Y-%m-%d} 培育监测预警日报：{head}",
            body=body,
            link="/cultivation/alerts/",
            dedupe_key=f"alert_digest:{day.isoformat()}",
            email=True,
        ):
            sent += 1
    return sent


# ---------------------------------------------------------------- hand-recorded target figures


def record_manual_figure(
    user,
    *,
    target_id: str,
    value,
    as_of: dt.date,
    source: str,
    region: Region | None = None,
    note: str = "",
) -> ManualFigure:
    """Record a figure for a target measured by hand (admin/department: city or any 板块;
    a 板块 officer: its own 板块 only)."""
    from . import targets

    scopes.require_official(user)
    try:
        defn = targets.definition(target_id)
    except KeyError as exc:
        raise ValidationError(str(exc)) from None
    if defn["measure"]["kind"] != "manual":
        raise ValidationError(f"目标“{defn['name']}”由平台记录自动计算，不需要手工填报。")
    if user.role == Role.REGION_OFFICER:
        if region is None or region.pk != user.region_id:
            raise PermissionDenied("板块工作人员只能填报本板块的数据。")
    elif not scopes.sees_all_enterprises(user):
        raise PermissionDenied("您无权填报目标数据。")
    try:
        dec = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"数值“{value}”不是数字。") from None
    if dec < 0:
        raise ValidationError("数值不能为负数。")
    if not source.strip():
        raise ValidationError("请填写数据来源（如某部门某文件）。")
    if as_of > timezone.localdate():
        raise ValidationError("统计截至日期不能晚于今天。")
    fig = ManualFigure.objects.create(
        target_id=target_id,
        region=region,
        as_of=as_of,
        value=dec,
        source=source.strip()[:255],
        note=note[:255],
        recorded_by=_actor(user),
    )
    record(
        actor=user,
        action="target.manual",
        obj=fig,
        object_repr=f"{defn['name']} {region.name if region else '全市'} {as_of}",
        after={
            "target": target_id,
            "region": region.name if region else None,
            "as_of": as_of,
            "value": dec,
            "source": fig.source,
        },
    )
    selectors.bump_version()
    return fig


__all__ = [
    "add_key_link_product",
    "digest",
    "expire_due",
    "record_application",
    "record_batch",
    "record_manual_figure",
    "record_willingness",
    "refresh_pool",
    "renew",
    "revoke",
    "scan_alerts",
    "start_review",
]


# ---------------------------------------------------------------- plans loaded by officials


@transaction.atomic
def load_plan(actor, content: bytes, filename: str):
    """Load a plan (YAML or xlsx; validated in full, nothing saved on any error). Administrators
    of the 市工信局 only; audited; a plan with the same key replaces the earlier one."""
    from . import plans
    from .models import LoadedPlan

    if not scopes.is_admin(actor):
        raise PermissionDenied("仅市工信局管理员可载入计划。")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        plan = plans.parse_xlsx(content)
    elif name.endswith((".yaml", ".yml")):
        plan = plans.parse_yaml(content)
    else:
        raise ValidationError("计划文件应为 .yaml 或 .xlsx。")
    previous = list(LoadedPlan.objects.filter(key=plan["key"], active=True))
    LoadedPlan.objects.filter(key=plan["key"], active=True).update(active=False)
    obj = LoadedPlan.objects.create(
        key=plan["key"],
        title=plan["title"],
        start=plan["period"]["start"],
        end=plan["period"]["end"],
        content=plans.to_jsonable(plan),
        original_name=filename[:255],
        original=content,
        loaded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action="cultivation.plan.load",
        obj=obj,
        before={"replaced": [p.pk for p in previous]} if previous else None,
        after={"key": plan["key"], "title": plan["title"], "targets": len(plan["targets"])},
    )
    selectors.bump_version()
    return obj


# ---------------------------------------------------------------------------------------------
# handling alerts from the list: assign, close with a note


def assign_alert(user, alert, assignee) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    if alert.closed_at or alert.resolved_on:
        raise ValidationError("该预警已关闭或已解除。")
    if (
        assignee is None
        or not scopes.is_official(assignee)
        or not scopes.can_view(assignee, alert.enterprise)
    ):
        raise ValidationError("请选择能查看该企业的工作人员作为负责人。")
    before = {"assignee": alert.assignee.username if alert.assignee_id else ""}
    alert.assignee = assignee
    alert.assigned_at = timezone.now()
    alert.save(update_fields=["assignee", "assigned_at"])
    record(
        actor=user,
        action="cultivation.alert.assign",
        obj=alert,
        before=before,
        after={"assignee": assignee.username},
        enterprise_uscc=alert.enterprise.uscc,
    )
    notify(
        [assignee],
        kind="alert_assigned",
        title=f"预警指派：{alert.enterprise.name}",
        body=f"{alert.get_kind_display()}：{alert.message}\n指派人：{user.get_full_name() or user.username}",
        link="/cultivation/alerts/?mine=1",
        dedupe_key=f"alert:{alert.pk}:assign:{assignee.pk}:{alert.assigned_at:%Y%m%d%H%M%S}",
        enterprise_uscc=alert.enterprise.uscc,
        email=True,
    )


def close_alert(user, alert, note: str) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    note = (note or "").strip()
    if not note:
        raise ValidationError("关闭预警时请填写处理说明。")
    if alert.closed_at:
        raise ValidationError("该预警已关闭。")
    now = timezone.now()
    alert.closed_at = now
    alert.closed_by = user
    alert.close_note = note[:2000]
    alert.resolved_on = timezone.localdate()
    alert.save(update_fields=["closed_at", "closed_by", "close_note", "resolved_on"])
    record(
        actor=user,
        action="cultivation.alert.close",
        obj=alert,
        after={"note": alert.close_note},
        enterprise_uscc=alert.enterprise.uscc,
    )
