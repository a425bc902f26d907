"""Patents and IP per enterprise (plan 二(五)): the IPAsset records, their xlsx import, the
profile's ``ip.*`` counts computed from them (with provenance), and the catalogue services
(优先审查 eligibility, 专利导航) read from ``data/ip.yaml`` (待核实 until verified)."""

from __future__ import annotations

import io
from functools import lru_cache

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from srdi.accounts import scopes as acc
from srdi.audit.services import record
from srdi.core import cleaning, xlsx
from srdi.registry.models import DataSource, Enterprise, IPAsset

from .matching.lexicon import DATA_DIR

HEADERS = ["统一社会信用代码", "编号", "名称", "类型", "状态", "申请日期", "授权日期", "关联产品",
           "自主研发", "已实际应用", "高价值情形"]  # fmt: skip
MAX_ROWS = 50_000
YES = {"是", "有", "1", "true", "y", "yes"}
NO = {"否", "无", "0", "false", "n", "no", ""}


@lru_cache(maxsize=1)
def ip_data() -> dict:
    return yaml.safe_load((DATA_DIR / "ip.yaml").read_text(encoding="utf-8"))


def ip_class_of(kind: str) -> str:
    c = ip_data()["classes"]
    return "1" if kind in c["class1"] else "2" if kind in c["class2"] else ""


def high_value_labels() -> dict[str, str]:
    return ip_data()["high_value"]["flags"]


# ------------------------------------------------------------------------------- counts
def counts_from_records(enterprise: Enterprise) -> dict[str, int] | None:
    """The profile's ip counts from the enterprise's granted (valid) records; None if none."""
    qs = list(enterprise.ip_assets.all())
    if not qs:
        return None
    valid = [a for a in qs if a.status == IPAsset.Status.GRANTED]
    c1 = [a for a in valid if a.ip_class == "1"]
    return {
        "ip_class1": len(c1),
        "ip_class1_self_developed": sum(a.self_developed for a in c1),
        "ip_class1_high_value": sum(a.high_value for a in c1),
        "ip_class1_applied": sum(a.applied for a in c1),
        "ip_class2": sum(a.ip_class == "2" for a in valid),
    }


def recompute_ip_counts(enterprise: Enterprise, actor=None) -> bool:
    """Write the counts computed from records onto the profile, each with its source; audited.
    Nothing changes for an enterprise without records (its counts stay as declared)."""
    counts = counts_from_records(enterprise)
    if counts is None:
        return False
    before = {k: getattr(enterprise, k) for k in counts}
    if before == counts:
        return False
    n = enterprise.ip_assets.count()
    src = DataSource.objects.create(
        kind=DataSource.Kind.SYSTEM, user=actor if getattr(actor, "is_authenticated", False) else None,
        label=f"由知识产权明细计算（{n} 件）",
    )  # fmt: skip
    fs = dict(enterprise.field_sources or {})
    for k, v in counts.items():
        setattr(enterprise, k, v)
        fs["ip." + k.removeprefix("ip_")] = src.pk
    enterprise.field_sources = fs
    enterprise.updated_at = timezone.now()
    enterprise.save(update_fields=[*counts, "field_sources", "updated_at"])
    record(actor=actor, action="registry.ip.recompute", obj=enterprise, before=before, after=counts,
           note=src.label)  # fmt: skip
    return True


# ------------------------------------------------------------------------------- writes
def _may_write_ip(user, enterprise) -> bool:
    return acc.may_write(user, enterprise, "ip")


def _bool(v, where, label, problems) -> bool:
    t = str(v if v is not None else "").strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    problems.append(f"{where}“{label}”应为 是/否：{v}")
    return False


def _day(v, where, label, problems):
    return cleaning.collected(cleaning.date, v, label, problems, where)


def parse_row(values: dict, where: str, problems: list) -> dict:
    kinds = {str(label): value for value, label in IPAsset.Kind.choices}
    statuses = {str(label): value for value, label in IPAsset.Status.choices}
    kind_label = str(values.get("类型") or "").strip()
    kind = kinds.get(kind_label) or (kind_label if kind_label in IPAsset.Kind.values else "")
    if not kind:
        problems.append(f"{where}“类型”未知：{kind_label or '（空）'}（可选：{'、'.join(kinds)}）")
    st_label = str(values.get("状态") or "已授权").strip()
    status = statuses.get(st_label) or (st_label if st_label in IPAsset.Status.values else "")
    if not status:
        problems.append(f"{where}“状态”未知：{st_label}（可选：{'、'.join(statuses)}）")
    number = str(values.get("编号") or "").strip()
    if not number:
        problems.append(f"{where}缺少“编号”")
    flags_by_label = {v: k for k, v in high_value_labels().items()}
    flags = []
    for f in str(values.get("高价值情形") or "").replace("，", "、").replace(",", "、").split("、"):
        f = f.strip()
        if not f:
            continue
        key = flags_by_label.get(f) or (f if f in high_value_labels() else None)
        if key is None:
            problems.append(f"{where}“高价值情形”未知：{f}")
        else:
            flags.append(key)
    return {
        "kind": kind, "status": status, "number": number[:60],
        "title": str(values.get("名称") or "").strip()[:255],
        "applied_on": _day(values.get("申请日期"), where, "申请日期", problems),
        "granted": _day(values.get("授权日期"), where, "授权日期", problems),
        "product": str(values.get("关联产品") or "").strip()[:200],
        "self_developed": _bool(values.get("自主研发", "是"), where, "自主研发", problems),
        "applied": _bool(values.get("已实际应用", "否"), where, "已实际应用", problems),
        "high_value_flags": flags, "high_value": bool(flags) and kind == IPAsset.Kind.INVENTION,
        "ip_class": ip_class_of(kind),
    }  # fmt: skip


@transaction.atomic
def save_patent(
    user, enterprise: Enterprise, values: dict, source: DataSource | None = None
) -> IPAsset:
    if not _may_write_ip(user, enterprise):
        raise PermissionDenied(_("您无权修改该企业的知识产权数据。"))
    problems: list[str] = []
    data = parse_row(values, "", problems)
    if problems:
        raise ValidationError(problems)
    obj, created = IPAsset.objects.update_or_create(
        enterprise=enterprise, number=data["number"], defaults=data | {"source": source}
    )
    record(actor=user, action="registry.ip.save", obj=obj, enterprise_uscc=enterprise.uscc,
           after={k: str(v) for k, v in data.items()}, note="新增" if created else "更新")  # fmt: skip
    recompute_ip_counts(enterprise, user)
    return obj


def template() -> bytes:
    example = ["91320581712345672C", "ZL202310000001.X", "一种真空压铸装置", "发明专利", "已授权",
               "2023-01-05", "2024-06-30", "铝合金转向节", "是", "是", "战略性新兴产业的发明专利"]  # fmt: skip
    return xlsx.workbook([xlsx.Sheet("知识产权", HEADERS, [example])])


def import_xlsx(user, content: bytes) -> dict:
    """All-or-nothing import of the 知识产权 sheet; every problem listed (row and column)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file
        raise ValidationError([_("无法读取该文件：请上传 Excel（.xlsx）文件。")]) from None
    ws = wb["知识产权"] if "知识产权" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    missing = [h for h in ("统一社会信用代码", "编号", "类型") if h not in header]
    if missing:
        raise ValidationError([f"表头缺少：{'、'.join(missing)}（请使用知识产权导入模板）"])
    problems: list[str] = []
    parsed = []
    for i, row in enumerate(rows, start=2):
        if i - 1 > MAX_ROWS:
            raise ValidationError([f"行数过多（超过 {MAX_ROWS} 行）"])
        values = dict(zip(header, row, strict=False))
        if not any(v not in (None, "") for v in values.values()):
            continue
        where = f"第 {i} 行"
        uscc = str(values.get("统一社会信用代码") or "").strip().upper()
        parsed.append((uscc, parse_row(values, where, problems), where))
    ents = {e.uscc: e for e in Enterprise.objects.filter(uscc__in={u for u, _d, _w in parsed})}
    for uscc, _d, where in parsed:
        e = ents.get(uscc)
        if e is None:
            problems.append(f"{where}企业不存在：{uscc or '（空）'}")
        elif not _may_write_ip(user, e):
            problems.append(f"{where}您无权修改该企业的知识产权数据：{uscc}")
    if problems:
        raise ValidationError(problems[:200])
    with transaction.atomic():
        src = DataSource.objects.create(
            kind=DataSource.Kind.IMPORT, user=user, label="知识产权清单导入"
        )
        for uscc, data, _w in parsed:
            obj, created = IPAsset.objects.update_or_create(
                enterprise=ents[uscc], number=data["number"], defaults=data | {"source": src}
            )
        for e in ents.values():
            recompute_ip_counts(e, user)
        record(actor=user, action="registry.ip.import", object_type="registry.ipasset",
               object_id="", object_repr=f"{len(parsed)} 条", after={"rows": len(parsed)})  # fmt: skip
    return {"rows": len(parsed), "enterprises": len(ents)}


# -------------------------------------------------------------------- catalogue services
def catalogue() -> list[dict]:
    return ip_data()["services"]


def priority_exam_candidates(enterprise: Enterprise) -> list[dict]:
    """The enterprise's pending invention applications that may be recommended for 优先审查,
    each with the reasons (the rule in data/ip.yaml; 待核实)."""
    svc = next(s for s in catalogue() if s["key"] == "priority_examination")
    rule = svc["rule"]
    out = []
    qs = enterprise.ip_assets.filter(kind__in=rule["kinds"], status__in=rule["statuses"])
    for a in qs:
        reasons = []
        for cond in rule["any_of"]:
            if "enterprise_flag" in cond and getattr(enterprise, cond["enterprise_flag"], None):
                reasons.append(cond["reason"])
            elif "patent_flag" in cond and cond["patent_flag"] in (a.high_value_flags or []):
                reasons.append(cond["reason"])
            elif "patent_field" in cond and getattr(a, cond["patent_field"], None):
                reasons.append(cond["reason"])
        if reasons:
            out.append({"asset": a, "reasons": reasons})
    return out


def navigation_eligible(enterprise: Enterprise) -> bool:
    svc = next(s for s in catalogue() if s["key"] == "patent_navigation")
    return enterprise.ip_assets.count() >= int(svc["rule"].get("min_patents", 1))
