"""Loading the reference YAML (src/srdi/reference) into Region / Industry / ReferenceItem.

Idempotent: rows that exist are left as they are (an administrator may have edited them in the
admin) unless ``update=True``; new rows are created with the YAML's status and source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from srdi import reference

from .models import Industry, ReferenceItem, Region, VerificationStatus

_STATUS = {
    "verified": VerificationStatus.VERIFIED,
    "verified-derived": VerificationStatus.PARTIAL,
    "partial": VerificationStatus.PARTIAL,
    "unverified": VerificationStatus.UNVERIFIED,
}
_REF_SCHEMES = ("sei2018", "foundation_fields", "industry_systems")


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def count(self, table: str, what: str) -> None:
        d = getattr(self, what)
        d[table] = d.get(table, 0) + 1

    def summary_zh(self) -> str:
        parts = []
        for table in sorted(set(self.created) | set(self.updated) | set(self.kept)):
            parts.append(
                f"{table}：新增 {self.created.get(table, 0)}，更新 {self.updated.get(table, 0)}，"
                f"保留 {self.kept.get(table, 0)}"
            )
        if self.missing:
            parts.append("缺少参考数据文件：" + "、".join(self.missing))
        return "；".join(parts)


def _status(item: dict, default: str = "unverified") -> str:
    return _STATUS.get(str(item.get("status") or default), VerificationStatus.UNVERIFIED)


def _source(item: dict, sources: dict) -> str:
    src = item.get("source")
    if not src:
        return ""
    text = str(src)
    expanded = [f"{k}: {sources[k]}" for k in sources if k in text.replace(",", " ").split()]
    if expanded:
        text = f"{text} — " + "；".join(expanded)
    return text[:500]


def _load(name: str, result: LoadResult):
    try:
        return reference.load(name)
    except (KeyError, FileNotFoundError):
        result.missing.append(f"{name}.yaml")
        return None


def _upsert(model, lookup: dict, values: dict, update: bool, result: LoadResult, table: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.count(table, "created")
        return obj
    if update:
        changed = False
        for k, v in values.items():
            if getattr(obj, k) != v:
                setattr(obj, k, v)
                changed = True
        if changed:
            obj.save()
            result.count(table, "updated")
            return obj
    result.count(table, "kept")
    return obj


def load_regions(update: bool, result: LoadResult) -> None:
    data = _load("regions", result)
    if not data:
        return
    sources = data.get("sources") or {}
    by_name = {}
    for i, item in enumerate(data["items"], 1):
        values = {
            "short_name": item.get("short") or "",
            "kind": item.get("kind") or Region.Kind.ZONE,
            "sort_order": i,
            "status": _status(item),
            "source": _source(item, sources),
        }
        by_name[item["name"]] = _upsert(
            Region, {"name": item["name"]}, values, update, result, "板块"
        )
    for item in data["items"]:
        parent = item.get("parent") or item.get("managed_by")
        if parent and parent in by_name:
            r = by_name[item["name"]]
            if r.managed_by_id is None or update:
                r.managed_by = by_name[parent]
                r.save(update_fields=["managed_by"])


def _industry_level(code: str) -> str:
    return {1: "section", 3: "division", 4: "group", 5: "class"}.get(len(code), "class")


def load_industries(update: bool, result: LoadResult) -> None:
    data = _load("industries", result)
    if not data:
        return
    sources = data.get("sources") or {}
    default = data.get("status") or "unverified"
    existing = {i.code: i for i in Industry.objects.all()}
    for item, _depth, parent in reference.walk(data["items"]):
        code = str(item["code"])
        values = {
            "name": item.get("name", ""),
            "level": item.get("level") or _industry_level(code),
            "status": _status(item, default),
            "source": _source(item, sources) or str(data.get("source") or "")[:500],
            "parent": existing.get(str(parent)) if parent else None,
        }
        obj = existing.get(code)
        if obj is None:
            obj = Industry.objects.create(code=code, **values)
            result.count("国民经济行业", "created")
        elif update and any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            result.count("国民经济行业", "updated")
        else:
            result.count("国民经济行业", "kept")
        existing[code] = obj


def load_reference_items(update: bool, result: LoadResult) -> None:
    for scheme in _REF_SCHEMES:
        data = _load(scheme, result)
        if not data:
            continue
        sources = data.get("sources") or {}
        default = data.get("status") or "unverified"
        made: dict[str, ReferenceItem] = {}
        for i, (item, _depth, parent) in enumerate(reference.walk(data["items"]), 1):
            code = str(item["code"])
            extra = {
                k: v
                for k, v in item.items()
                if k not in ("code", "name", "status", "source", "children")
            }
            values = {
                "name": str(item.get("name", ""))[:200],
                "status": _status(item, default),
                "source": _source(item, sources),
                "sort_order": i,
                "data": extra,
                "parent": made.get(str(parent)) if parent else None,
            }
            made[code] = _upsert(
                ReferenceItem,
                {"scheme": scheme, "code": code},
                values,
                update,
                result,
                f"参考分类 {scheme}",
            )


@transaction.atomic
def load_reference(update: bool = False) -> LoadResult:
    """Load every reference YAML into its table; see the module docstring."""
    result = LoadResult()
    load_regions(update, result)
    load_industries(update, result)
    load_reference_items(update, result)
    return result
