"""The diagnosis (把脉诊断) of one enterprise on an as-of date, and reports in every format.

    d = diagnose(enterprise, as_of)          # a JSON-ready dict: everything a report shows
    pdf = render(d, "pdf")                   # bytes (pdf | docx | html)

Verdicts, scores, indicator values, bands, points, conditions and gaps are the rules core's
(engine.py), copied unchanged; this module adds the plain-Chinese explanation, the ranking of
strengths and weaknesses, peer percentiles (peers.py), trends and data-quality warnings
(figures.py), and the sections other apps contribute (sections.py).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.utils import timezone

from . import engine, figures
from .figures import display, settings
from .peers import PeerBook, book_for
from .sections import SectionContext, build_sections

OUTCOME_LABELS = {"eligible": "符合", "ineligible": "不符合", "undetermined": "无法判断"}
OUTCOME_BADGES = {"eligible": "ok", "ineligible": "bad", "undetermined": "warn"}
SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
CODE_LABELS = {
    **SIZE_LABELS,
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "below_municipal": "市级以下",
    "none": "无",
}
LEVEL_LABELS = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
TITLE_STATUS = {"valid": "有效", "under_review": "复核中", "expired": "已到期", "revoked": "已撤销"}
VERIFY_LABELS = {"verified": "", "partial": "部分待核实", "unverified": "待核实"}
ROLE_LABELS = {"required": "必备条件", "direct": "直通条件", "part": "分项", "manual": "人工核查"}
COMPLIANCE_LABELS = {
    "compliance.abnormal_list": "列入经营异常名录",
    "compliance.serious_dishonesty": "列入严重失信主体名单",
    "compliance.major_incident_3y": "近三年重大事故或违法违规",
    "compliance.prohibited_industry": "主导产品属于禁止、限制或淘汰类",
}


class DiagnosisError(Exception):
    """A diagnosis that cannot be made (the message says why, in Chinese)."""


# --- explanation in plain Chinese -----------------------------------------------------------


def _fmt_value(v: Any, unit: str | None) -> str:
    if v is None:
        return "未知"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float, Fraction)):
        if unit == "%":
            return f"{float(v):.2f}".rstrip("0").rstrip(".") + "%"
        if unit:
            return f"{display(v)}{unit}" if unit != "万元" else display(v, "万元").replace(" ", "")
        return display(v)
    if isinstance(v, str):
        return CODE_LABELS.get(v, v)
    if isinstance(v, list):
        return "、".join(COMPLIANCE_LABELS.get(str(x), str(x)) for x in v) or "无"
    return str(v)


def _pts(v: Any) -> str:
    if v is None:
        return "—"
    f = float(v)
    return str(int(f)) if f == int(f) else f"{f:.1f}"


def explain_indicator(item: dict, std) -> dict:
    """The rules core's indicator entry, plus its band wording and a sentence."""
    spec = next((i for i in getattr(std, "indicators", []) if i.id == item["id"]), None)
    unit = spec.measures[0].unit if spec and spec.measures else None
    band_text = None
    if spec and item.get("band"):
        band_text = next((b.text for b in spec.bands if b.band == item["band"]), None)
    parts = [item["label"]]
    if item.get("value") is not None:
        parts.append(f"为{_fmt_value(item['value'], unit)}")
    sentence = "".join(parts)
    if item.get("points") is None:
        sentence += "，缺少数据，暂不能计分" if item.get("value") is None else "，暂不能计分"
    else:
        if band_text:
            sentence += f"，属于“{band_text}”档"
        sentence += f"，得{_pts(item['points'])}分（满分{_pts(item['max'])}分）"
        lost = Fraction(str(item["max"])) - Fraction(str(item["points"]))
        sentence += "，已达最高档。" if lost == 0 else f"，距最高档差{_pts(lost)}分。"
    status = item.get("status") or (spec.status if spec else "verified")
    return {
        **item,
        "detail_zh": sentence[len(item["label"]) :].lstrip("为，"),
        "unit": unit,
        "dimension": spec.dimension if spec else "",
        "band_text": band_text,
        "text_zh": sentence,
        "value_display": _fmt_value(item.get("value"), unit)
        if spec is None or spec.measures
        else "—",
        "verify_label": VERIFY_LABELS.get(status, ""),
        "original": spec.text if spec else None,
    }


def explain_condition(item: dict, std) -> dict:
    spec = next((c for c in getattr(std, "conditions", []) if c.id == item["id"]), None)
    unit = spec.unit if spec else None
    met = item.get("met")
    verdict = (
        "满足" if met is True else "不满足" if met is False else "无法判断（缺少数据或需人工核查）"
    )
    if item["id"] == "sme" and item.get("value"):
        value = f"企业规模为{_fmt_value(item['value'], None)}企业"
    elif item["id"] == "compliance":
        value = (
            f"存在：{_fmt_value(item['value'], None)}" if item.get("value") else "未发现不良记录"
        )
    elif item.get("value") is not None:
        value = f"实际值{_fmt_value(item['value'], unit)}"
    else:
        value = ""
    detail = (f"{value}，" if value else "") + f"{verdict}。"
    sentence = f"{item['label']}：{detail}"
    status = item.get("status") or "verified"
    return {
        **item,
        "unit": unit,
        "role_label": ROLE_LABELS.get(item.get("role") or "required", ""),
        "met_label": "满足" if met is True else "不满足" if met is False else "无法判断",
        "met_badge": "ok" if met is True else "bad" if met is False else "warn",
        "text_zh": sentence,
        "detail_zh": detail,
        "verify_label": VERIFY_LABELS.get(status, ""),
        "original": spec.text if spec else None,
    }


# --- gap plan -------------------------------------------------------------------------------


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def gap_plan(gaps: list[dict]) -> list[dict]:
    """The rules core's gaps as rows: which figure, from what, to what (text unchanged)."""
    rows: list[dict] = []
    for g in gaps:
        kind = g.get("kind")
        if kind == "condition":
            needs = g.get("needs") or []
            if not needs:
                rows.append({"kind": kind, "item": g.get("label"), "what": g.get("label"),
                             "from": _fmt_value(g.get("value"), None), "to": "", "points": None,
                             "text": g.get("text") or g.get("label"), "from_num": None, "to_num": None})  # fmt: skip
            for n in needs:
                op = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}.get(
                    n.get("op"), n.get("op") or ""
                )
                rows.append(
                    {
                        "kind": kind,
                        "item": g.get("label"),
                        "what": n.get("what"),
                        "from": _fmt_value(n.get("value"), None),
                        "to": f"{op}{_fmt_value(n.get('target'), None)}",
                        "points": None,
                        "text": n.get("text") or g.get("text"),
                        "from_num": _num(n.get("value")),
                        "to_num": _num(n.get("target")),
                    }
                )
        elif kind == "score":
            for m in g.get("moves") or []:
                unit = m.get("unit")
                to = (
                    _fmt_value(m.get("target"), unit)
                    if m.get("target") is not None
                    else f"+{_pts(m.get('points'))}分"
                )
                rows.append(
                    {
                        "kind": kind,
                        "item": f"评价得分 {_pts(g.get('score'))} → 及格 {_pts(g.get('pass_score'))}",
                        "what": m.get("label"),
                        "from": _fmt_value(m.get("from"), unit)
                        if m.get("from") is not None
                        else "未知",
                        "to": to,
                        "points": m.get("points"),
                        "text": m.get("text"),
                        "from_num": _num(m.get("from")) if unit else None,
                        "to_num": _num(m.get("target")) if unit else None,
                    }
                )
        elif kind == "unknown":
            rows.append({"kind": kind, "item": g.get("label"), "what": "、".join(
                figures.missing_label(x) for x in g.get("missing") or []) or g.get("label"),
                "from": "缺少数据", "to": "补充数据", "points": None, "text": g.get("text"),
                "from_num": None, "to_num": None})  # fmt: skip
        else:  # "direct" and anything newer: keep the rules core's wording
            rows.append({"kind": kind or "other", "item": "直通条件" if kind == "direct" else g.get("label", ""),
                         "what": "", "from": "", "to": "", "points": None, "text": g.get("text", ""),
                         "from_num": None, "to_num": None})  # fmt: skip
    for r in rows:  # a row a person reads: no empty cell shows as None
        for k in ("item", "what", "from", "to", "text"):
            if r.get(k) is None or r.get(k) == "":
                r[k] = "—"
        if r["from"] == r["to"] == "未知":
            r["to"] = "补充数据后确定"
    return rows


# --- the diagnosis --------------------------------------------------------------------------


def _titles(enterprise, as_of: dt.date) -> list[dict]:
    out = []
    for t in enterprise.titles.all().order_by("-granted"):
        valid = t.is_valid_on(as_of)
        days = (t.valid_until - as_of).days
        out.append(
            {
                "tier": t.tier,
                "tier_label": engine.tier_label(t.tier),
                "level": t.level,
                "level_label": LEVEL_LABELS.get(t.level, t.level),
                "batch": t.batch,
                "granted": t.granted.isoformat(),
                "valid_until": t.valid_until.isoformat(),
                "status": t.status,
                "status_label": TITLE_STATUS.get(t.status, t.status),
                "valid_on_as_of": valid,
                "validity_text": (
                    f"截至{as_of:%Y年%m月%d日}有效，剩余{days}天" if valid
                    else "已撤销" if t.status == "revoked"
                    else f"已于{t.valid_until:%Y年%m月%d日}到期" if days < 0
                    else f"自{t.granted:%Y年%m月%d日}起生效"
                ),
            }
        )  # fmt: skip
    return out


def _dimension_rows(result: dict, std) -> list[dict]:
    dims = getattr(std, "dimensions", []) or []
    total = sum((d.max for d in dims), Fraction(0))
    rows = []
    for d in dims:
        if d.min is not None:
            line, basis = d.min, "维度最低分"
        elif total and result.get("pass_score") is not None:
            line, basis = d.max * Fraction(str(result["pass_score"])) / total, "按总分及格比例折算"
        else:
            line, basis = None, ""
        rows.append(
            {
                "name": d.name,
                "points": (result.get("dimensions") or {}).get(d.name),
                "max": float(d.max),
                "pass_line": None if line is None else round(float(line), 2),
                "pass_basis": basis,
            }
        )
    return rows


def _focus_standard(results: dict[str, dict], nxt: dict | None) -> str | None:
    """The scored standard the radar and the strengths/weaknesses are drawn on: the next
    tier's if it is scored, else the highest-tier scored standard in force."""
    scored = [sid for sid, r in results.items() if r.get("indicators") and r.get("dimensions")]
    if not scored:
        return None
    if nxt:
        for step in nxt.get("ladder") or []:
            if step.get("tier") == nxt.get("next") and step.get("standard") in scored:
                return step["standard"]
        order = [s.get("standard") for s in nxt.get("ladder") or []]
        ranked = [s for s in reversed(order) if s in scored]
        if ranked:
            return ranked[0]
    return scored[-1]


def _rank(indicators: list[dict], bench: dict) -> tuple[list[dict], list[dict]]:
    cfg = settings()
    mapping = cfg["indicator_metrics"]
    by_metric = {m["id"]: m for m in bench["metrics"]}
    strengths, weaknesses = [], []
    for ind in indicators:
        metric = by_metric.get(mapping.get(ind["id"], ""))
        pct, group = None, None
        if metric:
            for g in ("division", "region"):
                if metric[g]["percentile"] is not None:
                    pct, group = metric[g]["percentile"], g
                    break
        group_label = {"division": "同行业大类", "region": "同板块"}.get(group or "", "")
        peer_text = f"，优于{group_label}{pct:.0f}%的企业" if pct is not None else ""
        mx = Fraction(str(ind["max"]))
        if ind.get("points") is None:
            lost = mx
            reason = f"{ind['label']}缺少数据，未能计分（满分{_pts(mx)}分）{peer_text}。"
        else:
            lost = mx - Fraction(str(ind["points"]))
            reason = (
                f"{ind['label']}{('为' + ind['value_display']) if ind.get('value') is not None else ''}，"
                f"得{_pts(ind['points'])}分/满分{_pts(mx)}分"
                + ("，已达最高档" if lost == 0 else f"，距最高档差{_pts(lost)}分")
                + f"{peer_text}。"
            )
        entry = {
            "id": ind["id"],
            "label": ind["label"],
            "points": ind.get("points"),
            "max": ind["max"],
            "lost": float(lost),
            "distance": float(lost / mx) if mx else 0.0,
            "peer_percentile": pct,
            "peer_group": group_label,
            "text": reason,
        }
        if lost == 0 and (pct is None or pct >= cfg["strength_min_percentile"]):
            strengths.append(entry)
        elif lost > 0:
            weaknesses.append(entry)
    strengths.sort(
        key=lambda e: (
            -(e["peer_percentile"] if e["peer_percentile"] is not None else -1),
            -float(e["max"]),
        )
    )
    weaknesses.sort(
        key=lambda e: (
            -e["lost"],
            -e["distance"],
            e["peer_percentile"] if e["peer_percentile"] is not None else 50.0,
        )
    )
    return strengths, weaknesses


def _data_as_of(profile: dict, enterprise, as_of: dt.date) -> str:
    years = sorted(
        int(y)
        for y, row in (profile.get("years") or {}).items()
        if str(y).isdigit() and row and int(y) < as_of.year
    )
    latest = f"{years[-1]}年度" if years else "无年度数据"
    updated = getattr(enterprise, "updated_at", None)
    when = f"（企业数据最后更新：{timezone.localtime(updated):%Y-%m-%d}）" if updated else ""
    return f"{latest}{when}"


def diagnose(
    enterprise, as_of: dt.date | None = None, *, review: bool = False, book: PeerBook | None = None
) -> dict:
    """Everything the report shows, as a JSON-ready dict."""
    as_of = as_of or timezone.localdate()
    try:
        std_ids = engine.standards_in_force(as_of, review)
    except engine.EngineUnavailable as exc:
        raise DiagnosisError(str(exc)) from exc
    profile = engine.build_profile(enterprise)
    results: dict[str, dict] = {}
    standards = []
    missing: list[str] = []
    for sid in std_ids:
        r = engine.evaluate(profile, sid, as_of, review)
        r = {k: v for k, v in r.items() if k != "trace"}
        results[sid] = r
        std = engine.standard(sid)
        missing += r.get("missing") or []
        standards.append(
            {
                "id": sid,
                "title": std.title_zh,
                "document": std.document,
                "version": r.get("version") or std.version,
                "status": std.status,
                "verify_label": VERIFY_LABELS.get(std.status, ""),
                "tier": std.tier,
                "outcome": r["outcome"],
                "outcome_label": OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
                "outcome_badge": OUTCOME_BADGES.get(r["outcome"], "warn"),
                "score": r.get("score"),
                "pass_score": r.get("pass_score"),
                "route": r.get("route"),
                "size_class": r.get("size_class"),
                "size_label": SIZE_LABELS.get(r.get("size_class") or "", ""),
                "dimensions": _dimension_rows(r, std),
                "indicators": [explain_indicator(i, std) for i in r.get("indicators") or []],
                "conditions": [explain_condition(c, std) for c in r.get("conditions") or []],
                "missing": r.get("missing") or [],
                "missing_labels": [figures.missing_label(m) for m in r.get("missing") or []],
                "gaps": gap_plan(r.get("gaps") or []),
                "result": r,
            }
        )
    nxt = engine.next_tier(profile, as_of)
    book = book if book is not None and book.has(enterprise.pk) else book_for(enterprise, as_of)
    bench = book.benchmarks(enterprise)

    focus = _focus_standard(results, nxt)
    strengths: list[dict] = []
    weaknesses: list[dict] = []
    radar = None
    if focus:
        fstd = next(s for s in standards if s["id"] == focus)
        strengths, weaknesses = _rank(fstd["indicators"], bench)
        medians = book.dimension_medians(focus, enterprise)
        radar = {
            "standard": focus,
            "title": fstd["title"],
            "dimensions": [
                {
                    **d,
                    "peer_median": medians.get("division", {}).get(d["name"]),
                    "peer_median_region": medians.get("region", {}).get(d["name"]),
                }
                for d in fstd["dimensions"]
            ],
        }

    next_info = None
    titles = {s["id"]: s["title"] for s in standards}

    def std_title(sid):  # a standard by its Chinese title (its file id is technical)
        if not sid:
            return sid
        return titles.get(sid) or titles.get(str(sid).split("@", 1)[0]) or sid

    if nxt:
        step = next((s for s in nxt.get("ladder") or [] if s.get("tier") == nxt.get("next")), None)
        next_info = {
            "current": nxt.get("current"),
            "current_label": nxt.get("current_label"),
            "next": nxt.get("next"),
            "next_label": nxt.get("next_label"),
            "standard": step.get("standard") if step else None,
            "standard_title": std_title(step.get("standard")) if step else None,
            "outcome": step.get("outcome") if step else None,
            "score": step.get("score") if step else None,
            "pass_score": step.get("pass_score") if step else None,
            "plan": gap_plan(step.get("gaps") or []) if step else [],
            "ladder": [
                {
                    **{
                        k: s.get(k)
                        for k in (
                            "tier",
                            "tier_label",
                            "standard",
                            "outcome",
                            "score",
                            "pass_score",
                        )
                    },
                    "standard_title": std_title(s.get("standard")),
                    "outcome_label": OUTCOME_LABELS.get(s.get("outcome"), s.get("outcome")),
                    "outcome_badge": OUTCOME_BADGES.get(s.get("outcome"), "warn"),
                }
                for s in nxt.get("ladder") or []
            ],
        }

    ctx = SectionContext(enterprise, profile, as_of, results, nxt)
    industry = getattr(enterprise, "industry", None)
    return {
        "enterprise": {
            "id": enterprise.pk,
            "uscc": enterprise.uscc,
            "name": enterprise.name,
            "region": enterprise.region.name if enterprise.region_id else "",
            "industry_code": enterprise.industry_code,
            "industry_name": industry.name if industry else "",
            "main_product": enterprise.main_product,
            "is_synthetic": enterprise.is_synthetic,
        },
        "as_of": as_of.isoformat(),
        "review": review,
        "assessment_year": as_of.year,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "data_as_of": _data_as_of(profile, enterprise, as_of),
        "issuer": settings()["issuer"],
        "report_title": settings()["report_title"],
        "titles": _titles(enterprise, as_of),
        "standards": standards,
        "rule_versions": [
            {
                "id": s["id"],
                "version": s["version"],
                "document": s["document"],
                "verify_label": s["verify_label"],
            }
            for s in standards
        ],  # fmt: skip
        "focus_standard": focus,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "next_tier": next_info,
        "peers": bench,
        "radar": radar,
        "trend": figures.trend(profile, as_of.year),
        "warnings": figures.quality_warnings(profile, as_of.year, missing),
        "sections": build_sections(ctx),
    }


# --- entry points shared by the web views, the API and the CLI ------------------------------


def parse_as_of(value: str | None) -> dt.date:
    """The as-of date from a query string or option; today when empty."""
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DiagnosisError(
            f"评估基准日“{value}”格式不正确，应为 YYYY-MM-DD，例如 2025-06-30。"
        ) from None


def diagnosis_for(user, uscc: str, as_of: dt.date, review: bool = False) -> dict:
    """The diagnosis of an enterprise ``user`` may see (403/404 otherwise)."""
    from .selectors import enterprise_for

    return diagnose(enterprise_for(user, uscc), as_of, review=review)


def report_for(
    user, uscc: str, fmt: str, as_of: dt.date, review: bool = False
) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of the report of an enterprise ``user`` may see."""
    from . import render

    if fmt not in render.FORMATS:
        raise DiagnosisError(f"不支持的格式“{fmt}”，可选：pdf、docx、html。")
    d = diagnosis_for(user, uscc, as_of, review)
    return render.filename(d, fmt), render.FORMATS[fmt][0], render.render(d, fmt)


def start_batch_for(user, region, fmt: str, as_of: dt.date):
    """Queue the batch of reports of ``region`` (the enterprises ``user`` may see): the Job."""
    from .selectors import batch_enterprises
    from .tasks import start_batch

    qs = batch_enterprises(user, region)
    if not qs.exists():
        raise DiagnosisError(f"板块“{region.name}”中没有您可查看的企业。")
    return start_batch(user, qs, region.name, fmt, as_of)
