"""Every write of the registers: permission check (the responsible department), change,
audit record. The web pages, the API and the commands all call these.

Import (``import_xlsx``) is all-or-nothing: every row is checked first; any problem rejects the
whole file with Chinese messages naming the sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from srdi.audit.services import record
from srdi.core.cleaning import date as _date
from srdi.core.cleaning import year
from srdi.registry.models import Enterprise, Region

from . import kinds, scopes
from .models import Honour, Platform

MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024


def _bump() -> None:
    from srdi.cultivation.selectors import bump_version

    bump_version()


def _level(value, allowed) -> str:
    by_label = {v: k for k, v in kinds.levels().items()}
    code = by_label.get(str(value).strip(), str(value).strip())
    if code not in allowed:
        names = "、".join(kinds.level_label(x) for x in allowed)
        raise ValidationError(f"“级别”应为 {names} 之一，收到“{value}”。")
    return code


def clean_honour(data: dict) -> dict:
    """Check one honour (fields as in the form / template); returns the model fields."""
    kind = data.get("kind")
    by_label = {v["label"]: k for k, v in kinds.honours().items()}
    kind = by_label.get(str(kind or "").strip(), kind)
    spec = kinds.honours().get(kind)
    if spec is None:
        raise ValidationError(f"“类别”无效：{data.get('kind') or '（空）'}。")
    enterprise = data.get("enterprise")
    if not isinstance(enterprise, Enterprise):
        uscc = str(data.get("uscc") or "").strip().upper()
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            raise ValidationError(f"企业库中没有统一社会信用代码为“{uscc or '（空）'}”的企业。")
    out = {
        "enterprise": enterprise,
        "kind": kind,
        "level": _level(data.get("level") or spec["levels"][0], spec["levels"]),
        "year": year(data.get("year"), "年度", required=True),
        "granted_on": _date(data.get("granted_on"), "认定日期"),
        "issuer": str(data.get("issuer") or "").strip()[:100],
        "item": str(data.get("item") or "").strip()[:200],
        "certificate_no": str(data.get("certificate_no") or "").strip()[:100],
        "note": str(data.get("note") or "").strip()[:255],
        "stars": None,
    }
    if not out["issuer"]:
        raise ValidationError("请填写“认定/发证单位”。")
    if spec.get("unit") in ("product", "workshop") and not out["item"]:
        raise ValidationError(f"{spec['label']}须填写“产品/车间名称”。")
    if spec.get("stars"):
        lo, hi = spec["stars"]
        try:
            stars = int(str(data.get("stars") or "").strip().rstrip("星"))
        except ValueError:
            raise ValidationError(f"{spec['label']}须填写星级（{lo}–{hi}）。") from None
        if not lo <= stars <= hi:
            raise ValidationError(f"星级应为 {lo}–{hi}，收到“{stars}”。")
        out["stars"] = stars
    if out["granted_on"] and out["granted_on"].year != out["year"]:
        raise ValidationError("“认定日期”应在所填年度内。")
    return out


def clean_platform(data: dict) -> dict:
    kind = data.get("kind")
    by_label = {v["label"]: k for k, v in kinds.platforms().items()}
    kind = by_label.get(str(kind or "").strip(), kind)
    if kind not in kinds.platforms():
        raise ValidationError(f"“类别”无效：{data.get('kind') or '（空）'}。")
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError("请填写“平台名称”。")
    region = data.get("region")
    if region is not None and not isinstance(region, Region):
        rname = str(region).strip()
        region = Region.objects.filter(name=rname).first() if rname else None
        if rname and region is None:
            raise ValidationError(f"没有名为“{rname}”的板块。")
    operator = data.get("operator")
    if operator is not None and not isinstance(operator, Enterprise):
        code = str(operator).strip().upper()
        operator = Enterprise.objects.filter(uscc=code).first() if code else None
        if code and operator is None:
            raise ValidationError(f"企业库中没有统一社会信用代码为“{code}”的运营企业。")
    out = {
        "name": name[:200],
        "kind": kind,
        "level": _level(data.get("level") or "", ["national", "provincial", "suzhou", "city"]),
        "year": year(data.get("year"), "认定年度", required=True),
        "issuer": str(data.get("issuer") or "").strip()[:100],
        "operator": operator,
        "operator_name": str(data.get("operator_name") or (operator.name if operator else ""))[
            :200
        ],
        "region": region or (operator.region if operator and operator.region_id else None),
        "note": str(data.get("note") or "").strip()[:255],
    }
    if not out["issuer"]:
        raise ValidationError("请填写“认定单位”。")
    return out


def _snapshot(obj, fields) -> dict:
    return {f: str(getattr(obj, f)) for f in fields}


HONOUR_FIELDS = ("kind", "level", "year", "granted_on", "issuer", "item", "stars", "revoked_on")
PLATFORM_FIELDS = ("name", "kind", "level", "year", "issuer", "region", "revoked_on")


@transaction.atomic
def save_honour(actor, data: dict, instance: Honour | None = None) -> Honour:
    values = clean_honour(data)
    if not scopes.may_maintain(actor, "honour", values["kind"]) or (
        instance and not scopes.may_maintain(actor, "honour", instance.kind)
    ):
        raise PermissionDenied("该登记册由责任部门维护，您没有维护权限。")
    before = _snapshot(instance, HONOUR_FIELDS) if instance else None
    dup = Honour.objects.filter(
        enterprise=values["enterprise"],
        kind=values["kind"],
        year=values["year"],
        item=values["item"],
    )
    if instance:
        dup = dup.exclude(pk=instance.pk)
    if dup.exists():
        raise ValidationError("该企业同一年度的同一记录已登记。")
    obj = instance or Honour(recorded_by=actor)
    for k, v in values.items():
        setattr(obj, k, v)
    obj.save()
    record(
        actor=actor,
        action="recognition.honour." + ("update" if instance else "create"),
        obj=obj,
        before=before,
        after=_snapshot(obj, HONOUR_FIELDS),
    )
    _bump()
    return obj


@transaction.atomic
def revoke_honour(actor, honour: Honour, on: dt.date, note: str = "") -> Honour:
    if not scopes.may_maintain(actor, "honour", honour.kind):
        raise PermissionDenied("该登记册由责任部门维护，您没有维护权限。")
    before = _snapshot(honour, HONOUR_FIELDS)
    honour.revoked_on = on
    if note:
        honour.note = note[:255]
    honour.save()
    record(actor=actor, action="recognition.honour.revoke", obj=honour, before=before,
           after=_snapshot(honour, HONOUR_FIELDS), note=note)  # fmt: skip
    _bump()
    return honour


@transaction.atomic
def save_platform(actor, data: dict, instance: Platform | None = None) -> Platform:
    values = clean_platform(data)
    if not scopes.may_maintain(actor, "platform", values["kind"]) or (
        instance and not scopes.may_maintain(actor, "platform", instance.kind)
    ):
        raise PermissionDenied("该登记册由责任部门维护，您没有维护权限。")
    before = _snapshot(instance, PLATFORM_FIELDS) if instance else None
    dup = Platform.objects.filter(name=values["name"], kind=values["kind"], level=values["level"])
    if instance:
        dup = dup.exclude(pk=instance.pk)
    if dup.exists():
        raise ValidationError("同名同级别的平台已登记。")
    obj = instance or Platform(recorded_by=actor)
    for k, v in values.items():
        setattr(obj, k, v)
    obj.save()
    record(
        actor=actor,
        action="recognition.platform." + ("update" if instance else "create"),
        obj=obj,
        before=before,
        after=_snapshot(obj, PLATFORM_FIELDS),
    )
    _bump()
    return obj


# ---------------------------------------------------------------- the xlsx template

HONOUR_COLUMNS = (
    ("统一社会信用代码", "uscc"),
    ("企业名称", "name"),
    ("类别", "kind"),
    ("级别", "level"),
    ("年度", "year"),
    ("认定日期", "granted_on"),
    ("认定/发证单位", "issuer"),
    ("产品/车间名称", "item"),
    ("星级", "stars"),
    ("证书/文号", "certificate_no"),
    ("备注", "note"),
)
PLATFORM_COLUMNS = (
    ("平台名称", "name"),
    ("类别", "kind"),
    ("级别", "level"),
    ("认定年度", "year"),
    ("认定单位", "issuer"),
    ("运营企业统一社会信用代码", "operator"),
    ("运营单位", "operator_name"),
    ("板块", "region"),
    ("备注", "note"),
)
HONOUR_SHEET, PLATFORM_SHEET = "荣誉认证", "服务与创新平台"


def template_xlsx() -> bytes:
    from srdi.core import xlsx

    kinds_rows = [
        [v["label"], v["section"], "、".join(kinds.level_label(x) for x in v["levels"]),
         "须填写" if v.get("unit") in ("product", "workshop") else "", "1–5" if v.get("stars") else ""]
        for v in kinds.honours().values()
    ] + [[v["label"], v["section"], "国家级、省级、苏州市级、常熟市级", "", ""]
         for v in kinds.platforms().values()]  # fmt: skip
    return xlsx.workbook(
        [
            xlsx.Sheet(HONOUR_SHEET, [c for c, _ in HONOUR_COLUMNS], [
                ["91320581XXXXXXXXXX", "示例企业", "常熟市市长质量奖", "常熟市级", 2024,
                 "2024-05-20", "常熟市人民政府", "", "", "常政发〔2024〕XX号", "示例行，导入前删除"],
            ]),
            xlsx.Sheet(PLATFORM_SHEET, [c for c, _ in PLATFORM_COLUMNS], [
                ["示例平台", "中小企业公共服务示范平台", "省级", 2023, "江苏省工业和信息化厅", "",
                 "示例运营单位", "", "示例行，导入前删除"],
            ]),
            xlsx.Sheet("类别说明", ["类别", "计划条目", "级别可选", "产品/车间名称", "星级"], kinds_rows),
        ]
    )  # fmt: skip


def _rows(ws, columns, sheet: str):
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [c for c, _ in columns if c not in header]
    if missing:
        raise ValidationError(f"工作表“{sheet}”缺少列：{'、'.join(missing)}。")
    idx = {key: header.index(label) for label, key in columns}
    for n, r in enumerate(rows, 2):
        if n > MAX_ROWS + 1:
            raise ValidationError(f"工作表“{sheet}”超过{MAX_ROWS}行。")
        if not any(c not in (None, "") for c in r):
            continue
        if any("示例" in str(c) for c in r if c):
            continue
        yield n, {k: (r[i] if i < len(r) else None) for k, i in idx.items()}


def import_xlsx(actor, content: bytes, *, dry_run: bool = False) -> dict:
    """Import the template (both sheets optional): all rows or none. Returns the counts."""
    import openpyxl

    if len(content) > MAX_BYTES:
        raise ValidationError("文件过大（不超过10MB）。")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - an unreadable file gets one Chinese message
        raise ValidationError("无法读取该 Excel 文件（应为 .xlsx，可先下载模板）。") from None
    if HONOUR_SHEET not in wb.sheetnames and PLATFORM_SHEET not in wb.sheetnames:
        raise ValidationError(f"文件中没有“{HONOUR_SHEET}”或“{PLATFORM_SHEET}”工作表（见模板）。")
    errors: list[str] = []
    honours, platforms = [], []
    if HONOUR_SHEET in wb.sheetnames:
        for n, data in _rows(wb[HONOUR_SHEET], HONOUR_COLUMNS, HONOUR_SHEET):
            try:
                v = clean_honour(data)
                if not scopes.may_maintain(actor, "honour", v["kind"]):
                    raise ValidationError(
                        f"{kinds.honour_label(v['kind'])}由责任部门维护，您没有维护权限。"
                    )
                honours.append(v)
            except ValidationError as exc:
                errors.append(f"“{HONOUR_SHEET}”第{n}行：{'；'.join(exc.messages)}")
    if PLATFORM_SHEET in wb.sheetnames:
        for n, data in _rows(wb[PLATFORM_SHEET], PLATFORM_COLUMNS, PLATFORM_SHEET):
            try:
                v = clean_platform(data)
                if not scopes.may_maintain(actor, "platform", v["kind"]):
                    raise ValidationError(
                        f"{kinds.platform_label(v['kind'])}由责任部门维护，您没有维护权限。"
                    )
                platforms.append(v)
            except ValidationError as exc:
                errors.append(f"“{PLATFORM_SHEET}”第{n}行：{'；'.join(exc.messages)}")
    if errors:
        raise ValidationError(errors[:100])
    result = {"honours_created": 0, "honours_updated": 0, "platforms_created": 0,
              "platforms_updated": 0, "dry_run": dry_run}  # fmt: skip
    if dry_run:
        result["honours_checked"], result["platforms_checked"] = len(honours), len(platforms)
        return result
    with transaction.atomic():
        for v in honours:
            key = {k: v[k] for k in ("enterprise", "kind", "year", "item")}
            rest = {k: x for k, x in v.items() if k not in key}
            _, created = Honour.objects.update_or_create(
                **key, defaults={**rest, "recorded_by": actor}
            )
            result["honours_created" if created else "honours_updated"] += 1
        for v in platforms:
            key = {k: v[k] for k in ("name", "kind", "level")}
            rest = {k: x for k, x in v.items() if k not in key}
            _, created = Platform.objects.update_or_create(
                **key, defaults={**rest, "recorded_by": actor}
            )
            result["platforms_created" if created else "platforms_updated"] += 1
        record(actor=actor, action="recognition.import", obj=None, after=result)
    _bump()
    return result
