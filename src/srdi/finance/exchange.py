"""Exchange with the 苏州市综合金融服务平台 (layout in data/exchange.yaml, 待核实).

* :func:`export_rows` — one row per consented enterprise (latest year), only the columns of the
  sections each enterprise granted (others left empty); officials export every consent in force,
  a bank only those granted to it (each row's read logged).
* :func:`import_outcomes` — a bank's outcome file (xlsx/csv) → loans; all-or-nothing, every
  problem reported with its row and column.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from srdi.core import xlsx

from . import consent, scopes, selectors, services
from .models import Need


def _in_force_for(user):
    from srdi.registry.models import DataShare

    if consent.is_partner(user):
        return consent.consents_for(user)
    if not (scopes.is_finance_official(user) or (user.is_authenticated and user.is_superuser)):
        raise PermissionDenied(_("仅市金融监管局可导出报送文件。"))
    return DataShare.active()


def export_rows(user) -> tuple[list[str], list[list]]:
    layout = selectors.exchange_layout()["export"]
    cols = layout["columns"]
    granted: dict[int, set[str]] = {}
    until: dict[int, object] = {}
    for c in _in_force_for(user).select_related("enterprise").order_by("enterprise__uscc"):
        granted.setdefault(c.enterprise_id, set()).update(c.sections or [])
        if c.until and (until.get(c.enterprise_id) is None or c.until > until[c.enterprise_id]):
            until[c.enterprise_id] = c.until
    from srdi.registry.models import Enterprise

    rows = []
    ents = Enterprise.objects.filter(pk__in=granted).select_related("region").order_by("uscc")
    for e in ents:
        secs = granted[e.pk]
        y = e.years.order_by("-year").first()
        need = Need.objects.filter(enterprise=e).exclude(state__in=("withdrawn",)).first()
        vals = {
            "uscc": e.uscc, "name": e.name, "region": e.region.name if e.region_id else "",
            "industry_code": e.industry_code, "established": e.established,
            "main_product": e.main_product,
            "year": y.year if y else None, "revenue": y.revenue if y else None,
            "net_profit": y.net_profit if y else None, "rd_expense": y.rd_expense if y else None,
            "employees": y.employees if y else None, "ip_class1": e.ip_class1,
            "tier": _tier(e), "need_amount": need.amount if need else None,
            "need_term": need.term_months if need else None,
            "need_purpose": need.purpose if need else "", "until": until.get(e.pk),
        }  # fmt: skip
        rows.append([vals.get(c["key"]) if c["section"] is None or c["section"] in secs else None
                     for c in cols])  # fmt: skip
        if consent.is_partner(user):
            consent.record(user, e, secs, "export", _("综合金融服务平台报送文件"))
    return [c["header"] for c in cols], rows


def _tier(e) -> str:
    from srdi.registry.listing import TIER_LABELS

    t = selectors._tiers([e.pk], timezone.localdate()).get(e.pk)
    return TIER_LABELS.get(t, "") if t else ""


def export_file(user, fmt: str = "xlsx") -> bytes:
    headers, rows = export_rows(user)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(headers)
        for r in rows:
            w.writerow([xlsx.csv_text("" if v is None else v) for v in r])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    sheet = selectors.exchange_layout()["export"]["sheet"]
    return xlsx.workbook([xlsx.Sheet(sheet, headers, rows)])


def _read(name: str, data: bytes) -> list[list]:
    if name.lower().endswith(".csv"):
        text = data.decode("utf-8-sig")
        return [r for r in csv.reader(io.StringIO(text))]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return wb.get_sheet_by_index(0).to_python()


class ImportProblems(ValidationError):
    """A bank's outcome file refused as a whole, with a Chinese message per row."""


@transaction.atomic
def import_outcomes(user, name: str, data: bytes) -> dict:
    """Loans from a bank's outcome file; nothing is saved when any row has a problem."""
    from srdi.registry.models import Enterprise

    if not (scopes.is_finance_official(user) or consent.is_bank(user)):
        raise PermissionDenied(_("仅市金融监管局或合作银行可导入放款数据。"))
    spec = selectors.exchange_layout()["import"]
    if len(data) > 10 * 1024 * 1024:
        raise ValidationError(_("文件超过 10MB，请分批导入。"))
    try:
        table = _read(name, data)
    except Exception:  # noqa: BLE001 - any unreadable file gets one clear message
        raise ValidationError(_("无法读取文件：请上传 xlsx 或 UTF-8 编码的 csv 文件。")) from None
    if not table:
        raise ValidationError(_("文件为空。"))
    header = [str(h or "").strip() for h in table[0]]
    index = {spec["columns"][h]: i for i, h in enumerate(header) if h in spec["columns"]}
    missing = [h for h, k in spec["columns"].items() if k in spec["required"] and k not in index]
    if missing:
        raise ValidationError(_("缺少必需的列：%(c)s") % {"c": "、".join(missing)})
    body = [r for r in table[1:] if any(str(v or "").strip() for v in r)]
    if len(body) > spec["max_rows"]:
        raise ValidationError(_("行数超过 %(n)s，请分批导入。") % {"n": spec["max_rows"]})
    problems, done = [], 0
    for n, r in enumerate(body, start=2):
        rec = {k: (r[i] if i < len(r) else None) for k, i in index.items()}
        rec = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
        if hasattr(rec.get("loaned_on"), "isoformat"):
            rec["loaned_on"] = rec["loaned_on"].isoformat()[:10]
        if isinstance(rec.get("term_months"), float):
            rec["term_months"] = int(rec["term_months"])
        for k in ("amount", "rate"):
            if isinstance(rec.get(k), float):
                rec[k] = Decimal(str(rec[k]))
        uscc = str(rec.get("uscc") or "").upper()
        e = Enterprise.objects.filter(uscc=uscc).first()
        if e is None:
            problems.append(
                _("第%(n)s行 统一社会信用代码：企业库中没有“%(u)s”") % {"n": n, "u": uscc}
            )
            continue
        if consent.is_bank(user) and rec.get("bank") != user.organization:
            problems.append(
                _("第%(n)s行 银行：只能报送本行（%(b)s）的数据") % {"n": n, "b": user.organization}
            )
            continue
        try:
            services.add_loan(user, e, rec)
            done += 1
        except ValidationError as exc:
            problems.append(_("第%(n)s行 %(m)s") % {"n": n, "m": "；".join(exc.messages)})
    if problems:
        transaction.set_rollback(True)
        raise ImportProblems(problems[:200])
    return {"rows": done}
