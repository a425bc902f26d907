"""Plan periods as data: each plan (title, period, document, targets) is a versioned file.

    plans.all_plans()          # {key: plan} — data/plans/*.yaml, then plans loaded by officials
    plans.plan_for(day)        # the plan in force on `day` (else the last finished one)
    plans.parse_yaml(bytes) / plans.parse_xlsx(bytes) → a validated plan (ValidationError in
                                 Chinese naming the row and column otherwise)

A plan loaded by an official (``srdi targets --load-plan``, or the 计划 page) is stored in
``LoadedPlan`` (audited) and is read exactly like the files shipped in ``data/plans/``; a loaded
plan with the key of a shipped one replaces it. No code changes for the next plan.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from srdi.core.cleaning import date

PLANS_DIR = Path(__file__).resolve().parent / "data" / "plans"

OPS = (">=", ">", "<=", "<", "all")
OP_LABELS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "all": "全覆盖"}
KINDS = ("title_count", "ratio_of_sums", "mean", "share_true", "registered", "manual")
SPLITS = ("count", "rate", "none")
MAX_TARGETS = 200
MAX_BYTES = 2 * 1024 * 1024


def validate(doc: Any) -> dict:
    """Check and normalise a plan document (dates parsed, defaults filled)."""
    if not isinstance(doc, dict):
        raise ValidationError(_("计划文件应为一个包含“key”“title”“period”“targets”的对象。"))
    errors = []
    for k, label in (("key", _("计划编号")), ("title", _("计划名称")), ("period", _("计划期"))):
        if not doc.get(k):
            errors.append(_("缺少%(f)s（%(k)s）。") % {"f": label, "k": k})
    if errors:
        raise ValidationError(errors)
    key = str(doc["key"]).strip()
    if len(key) > 20:
        raise ValidationError(_("计划编号不能超过%(n)d个字符。") % {"n": 20})
    period = doc["period"]
    if not isinstance(period, dict):
        raise ValidationError(_("计划期（period）应包含 start 与 end。"))
    start = date(period.get("start"), _("计划期起"), required=True)
    end = date(period.get("end"), _("计划期止"), required=True)
    if end <= start:
        raise ValidationError(_("计划期止应晚于计划期起。"))
    raw = doc.get("targets") or []
    if not isinstance(raw, list) or not raw:
        raise ValidationError(_("计划没有目标（targets）。"))
    if len(raw) > MAX_TARGETS:
        raise ValidationError(_("目标过多（最多%(n)d项）。") % {"n": MAX_TARGETS})
    seen: set[str] = set()
    targets = []
    for i, t in enumerate(raw, 1):
        where = _("第%(i)d项目标") % {"i": i}
        if not isinstance(t, dict):
            errors.append(_("%(w)s格式不正确。") % {"w": where})
            continue
        tid = str(t.get("id") or "").strip()
        if not tid or len(tid) > 40:
            errors.append(_("%(w)s：缺少编号（id，不超过40个字符）。") % {"w": where})
            continue
        where = _("%(w)s（%(id)s）") % {"w": where, "id": tid}
        if tid in seen:
            errors.append(_("%(w)s：编号重复。") % {"w": where})
        seen.add(tid)
        for k, label in (
            ("name", _("名称")),
            ("section", _("条目")),
            ("wording", _("原文表述")),
            ("unit", _("单位")),
        ):
            if not str(t.get(k) or "").strip():
                errors.append(_("%(w)s：缺少%(f)s。") % {"w": where, "f": label})
        op = str(t.get("op") or "")
        if op not in OPS:
            errors.append(
                _("%(w)s：比较方式应为 ≥(>=)、>、≤(<=)、< 或 全覆盖(all)，收到“%(v)s”。")
                % {"w": where, "v": op}
            )
        target = t.get("target")
        if op == "all":
            target = 100 if target in (None, "") else target
        try:
            float(str(target))
        except (TypeError, ValueError):
            errors.append(_("%(w)s：目标值应为数字，收到“%(v)s”。") % {"w": where, "v": target})
        m = t.get("measure") or {}
        if not isinstance(m, dict) or m.get("kind") not in KINDS:
            errors.append(
                _("%(w)s：计量方式（measure.kind）应为 %(v)s 之一。")
                % {"w": where, "v": "、".join(KINDS)}
            )
        elif m["kind"] == "registered" and not m.get("name"):
            errors.append(
                _("%(w)s：计量方式为 registered 时须写明计量名称（measure.name）。") % {"w": where}
            )
        elif m["kind"] in ("ratio_of_sums", "mean", "share_true") and not m.get("population"):
            errors.append(_("%(w)s：缺少统计总体（measure.population）。") % {"w": where})
        elif m["kind"] == "title_count" and not m.get("tiers"):
            errors.append(_("%(w)s：缺少称号梯度（measure.tiers）。") % {"w": where})
        split = t.get("split") or ("rate" if t.get("unit") == "%" else "count")
        if split not in SPLITS:
            errors.append(_("%(w)s：分解方式应为 count、rate 或 none。") % {"w": where})
        try:
            deadline = date(t.get("deadline") or end, _("%(w)s期限") % {"w": where}, required=True)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        targets.append(
            {
                **t,
                "id": tid,
                "op": op,
                "target": target,
                "deadline": deadline,
                "split": split,
                "reading": str(t.get("reading") or ""),
                "measure": m,
            }
        )
    if errors:
        raise ValidationError(errors[:50])
    return {
        **doc,
        "key": key,
        "title": str(doc["title"]),
        "document": str(doc.get("document") or doc["title"]),
        "period": {"start": start, "end": end},
        "targets": targets,
    }


def parse_yaml(content: bytes) -> dict:
    if len(content) > MAX_BYTES:
        raise ValidationError(_("文件过大（不超过%(n)dMB）。") % {"n": MAX_BYTES // 2**20})
    try:
        doc = yaml.safe_load(content.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("YAML 文件无法解析：%(why)s。")
            % {"why": getattr(exc, "problem", "") or _("编码应为UTF-8")}
        ) from None
    return validate(doc)


# The xlsx template: sheet 计划 (项目 | 内容), sheet 目标 (one row per target).
PLAN_FIELDS = {"计划编号": "key", "计划名称": "title", "计划文件": "document",
               "计划期起": "start", "计划期止": "end"}  # fmt: skip
TARGET_COLUMNS = (
    ("编号", "id"),
    ("条目", "section"),
    ("名称", "name"),
    ("原文表述", "wording"),
    ("比较", "op"),
    ("目标值", "target"),
    ("单位", "unit"),
    ("期限", "deadline"),
    ("分解", "split"),
    ("计量方式", "kind"),
    ("计量名称", "measure_name"),
    ("计量参数", "params"),
    ("口径说明", "reading"),
)


def parse_xlsx(content: bytes) -> dict:
    import openpyxl

    if len(content) > MAX_BYTES:
        raise ValidationError(_("文件过大（不超过%(n)dMB）。") % {"n": MAX_BYTES // 2**20})
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file gets one Chinese message
        raise ValidationError(_("无法读取该 Excel 文件（应为 .xlsx）。")) from None
    if "计划" not in wb.sheetnames or "目标" not in wb.sheetnames:
        raise ValidationError(_("Excel 文件应包含“计划”和“目标”两个工作表（见模板）。"))
    doc: dict[str, Any] = {"period": {}}
    for row in wb["计划"].iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        field = PLAN_FIELDS.get(str(row[0]).strip())
        if field in ("start", "end"):
            doc["period"][field] = row[1]
        elif field:
            doc[field] = row[1]
    rows = list(wb["目标"].iter_rows(values_only=True))
    if not rows:
        raise ValidationError(_("“目标”工作表为空。"))
    header = [str(c or "").strip() for c in rows[0]]
    missing = [label for label, _ in TARGET_COLUMNS[:10] if label not in header]
    if missing:
        raise ValidationError(_("“目标”工作表缺少列：%(c)s。") % {"c": "、".join(missing)})
    col = {key: header.index(label) for label, key in TARGET_COLUMNS if label in header}
    targets = []
    for n, r in enumerate(rows[1:], 2):
        if not any(c not in (None, "") for c in r):
            continue

        def cell(key, r=r):
            i = col.get(key)
            v = r[i] if i is not None and i < len(r) else None
            return v.strip() if isinstance(v, str) else v

        params = cell("params")
        if params:
            try:
                params = yaml.safe_load(str(params))
            except yaml.YAMLError:
                raise ValidationError(_("“目标”第%(n)d行“计量参数”无法解析。") % {"n": n}) from None
        op = {"≥": ">=", "≤": "<=", "全覆盖": "all"}.get(str(cell("op") or ""), cell("op"))
        measure = {"kind": cell("kind")}
        if cell("measure_name"):
            measure["name"] = cell("measure_name")
        if isinstance(params, dict):
            if measure["kind"] == "registered":
                measure["params"] = params
            else:
                measure |= params
        targets.append(
            {
                "id": cell("id"),
                "section": cell("section"),
                "name": cell("name"),
                "wording": cell("wording"),
                "op": op,
                "target": cell("target"),
                "unit": cell("unit"),
                "deadline": cell("deadline"),
                "split": cell("split") or None,
                "reading": cell("reading") or "",
                "measure": measure,
            }
        )
    doc["targets"] = targets
    return validate(doc)


def template_xlsx() -> bytes:
    """The xlsx template (filled with the 2023–2025 plan as the example)."""
    from srdi.core import xlsx

    p = shipped()["2023-2025"]
    head = xlsx.Sheet(
        "计划",
        ["项目", "内容"],
        [
            ["计划编号", p["key"]],
            ["计划名称", p["title"]],
            ["计划文件", p["document"]],
            ["计划期起", p["period"]["start"].isoformat()],
            ["计划期止", p["period"]["end"].isoformat()],
        ],
    )
    rows = []
    for t in p["targets"]:
        m = dict(t["measure"])
        kind = m.pop("kind")
        name = m.pop("name", "")
        params = m.pop("params", None) if kind == "registered" else m
        rows.append(
            [t["id"], t["section"], t["name"], t["wording"], OP_LABELS[t["op"]], t["target"],
             t["unit"], t["deadline"].isoformat(), t["split"], kind, name,
             yaml.safe_dump(params, allow_unicode=True, default_flow_style=True).strip()
             if params else "", t["reading"]]
        )  # fmt: skip
    body = xlsx.Sheet("目标", [label for label, _ in TARGET_COLUMNS], rows)
    return xlsx.workbook([head, body])


# ---------------------------------------------------------------- the plans in force

_SHIPPED: dict[str, dict] | None = None


def shipped() -> dict[str, dict]:
    global _SHIPPED
    if _SHIPPED is None:
        out = {}
        for path in sorted(PLANS_DIR.glob("*.yaml")):
            p = validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            p["origin"] = "shipped"
            out[p["key"]] = p
        _SHIPPED = out
    return _SHIPPED


def all_plans() -> dict[str, dict]:
    """Every plan, oldest period first; a plan loaded by an official replaces a shipped one.

    Kept in the cache per data version (loading a plan bumps it)."""
    from django.core.cache import cache

    from .selectors import cache_seconds, data_version

    key = f"cultivation:{data_version()}:plans"
    got = cache.get(key)
    if got is None:
        got = _all_plans()
        cache.set(key, got, cache_seconds())
    return got


def _all_plans() -> dict[str, dict]:
    from .models import LoadedPlan

    out = dict(shipped())
    for lp in LoadedPlan.objects.filter(active=True).order_by("loaded_at"):
        try:
            p = validate(lp.content)
        except ValidationError:
            continue
        p["origin"] = "loaded"
        out[p["key"]] = p
    return dict(sorted(out.items(), key=lambda kv: kv[1]["period"]["start"]))


def plan_for(day: dt.date) -> dict:
    """The plan in force on `day`; after the last plan's end, that finished plan."""
    plans = list(all_plans().values())
    running = [p for p in plans if p["period"]["start"] <= day <= p["period"]["end"]]
    if running:
        return running[-1]
    ended = [p for p in plans if p["period"]["end"] < day]
    return ended[-1] if ended else plans[0]


def get(key: str | None, day: dt.date | None = None) -> dict:
    if key:
        try:
            return all_plans()[key]
        except KeyError:
            raise KeyError(_("没有编号为“%(k)s”的计划。") % {"k": key}) from None
    return plan_for(day or dt.date.today())


def to_jsonable(p: dict) -> dict:
    """A plan as stored (dates as text)."""

    def conv(v):
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items() if k != "origin"}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    return conv(p)
