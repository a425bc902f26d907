"""工作通报 (monthly work bulletin): progress against targets, new titles, expiring titles,
板块 ranking — as .docx (python-docx) or .pdf (WeasyPrint, CJK fonts)."""

from __future__ import annotations

import calendar
import datetime as dt
import io

from django.conf import settings
from django.template.loader import render_to_string

from . import lifecycle, selectors, targets
from .models import LEVEL_LABELS, TIER_LABELS


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """ "2026-10" → (2026-10-01, 2026-10-31); a clear Chinese message otherwise."""
    try:
        y, m = (int(x) for x in str(text).split("-"))
        start = dt.date(y, m, 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份格式应为 YYYY-MM（如 2026-10），收到“{text}”") from None
    return start, dt.date(y, m, calendar.monthrange(y, m)[1])


#: sections other domains add to the bulletin: fn(start, end, scope) -> {"title", "paragraphs",
#: "headers", "rows"} or None (registered in the domain's AppConfig.ready, e.g. finance)
CONTRIBUTIONS: dict[str, object] = {}


def contribute(key: str):
    def deco(fn):
        CONTRIBUTIONS[key] = fn
        return fn

    return deco


def _contributions(start, end, scope) -> list[dict]:
    out = []
    for key in sorted(CONTRIBUTIONS):
        section = CONTRIBUTIONS[key](start, end, scope)
        if section:
            out.append(section)
    return out


def data(month: str, scope: selectors.Scope = selectors.CITY) -> dict:
    start, end = parse_month(month)
    rows = targets.evaluate(end, scope)
    new = list(selectors.new_titles(start, end, scope))
    expiring = list(selectors.expiring_titles(end, scope))
    year_start = dt.date(end.year, 1, 1)
    ranking = selectors.region_ranking(end, year_start) if scope.is_city else []
    target_ranking = targets.region_ranking(end) if scope.is_city else []
    counts = selectors.tier_counts(end, scope)
    tiers = counts["total"]
    out = {
        "site": settings.SRDI_SITE_NAME,
        "city": settings.SRDI_CITY,
        "month": month,
        "month_label": f"{start.year}年{start.month}月",
        "start": start,
        "end": end,
        "scope": scope.label,
        "targets": rows,
        "new_titles": [_title(t) for t in new],
        "expiring": [_title(t) for t in expiring],
        "expiry_months": lifecycle.expiry_months(),
        "ranking": ranking,
        "target_ranking": target_ranking,
        "tier_totals": [
            {"tier": t, "label": TIER_LABELS[t], "count": tiers.get(t, 0)}
            for t in ("innovative_sme", "srdi_sme", "little_giant", "single_champion")
        ],
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "extra": _contributions(start, end, scope),
    }
    from srdi.registry.models import Region

    from .bulletin_charts import chart_data

    names = dict(Region.objects.values_list("pk", "name"))
    out["charts"] = chart_data(out, counts["by_region"], names)
    return out


def _title(t) -> dict:
    e = t.enterprise
    return {
        "enterprise": e.name,
        "uscc": e.uscc,
        "region": e.region.name if e.region_id else "",
        "tier": TIER_LABELS.get(t.tier, t.tier),
        "tier_key": t.tier,
        "level": LEVEL_LABELS.get(t.level, t.level),
        "batch": t.batch,
        "granted": t.granted.isoformat() if t.granted else "",
        "valid_until": t.valid_until.isoformat() if t.valid_until else "",
    }


def _fmt(v, unit="") -> str:
    if v is None:
        return "—"
    return f"{v}{unit}"


def _status(r: dict) -> str:
    return r["status_label"]


def to_docx(d: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    style.font.size = Pt(10.5)
    h = doc.add_heading(f"{d['city']}专精特新企业培育工作通报（{d['month_label']}）", level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(
        f"统计范围：{d['scope']}　统计截至：{d['end'].isoformat()}　生成时间：{d['generated']}"
    )
    totals = "、".join(f"{t['label']}{t['count']}家" for t in d["tier_totals"])
    doc.add_paragraph(f"截至{d['end'].month}月末，持有有效称号的企业：{totals}。")
    _docx_charts(doc, d)

    doc.add_heading("一、目标任务进展", level=1)
    tbl = doc.add_table(rows=1, cols=7)
    tbl.style = "Table Grid"
    for cell, text in zip(
        tbl.rows[0].cells,
        ("目标", "目标值", "实际值", "单位", "期限", "计量方式", "状态"),
        strict=True,
    ):
        cell.text = text
    for r in d["targets"]:
        target = r["target_label"]
        status = _status(r)
        cells = tbl.add_row().cells
        for cell, text in zip(
            cells,
            (
                r["name"],
                target,
                _fmt(r["actual"]) if r["connected"] else "未接入",
                r["unit"],
                r["deadline"],
                r["measured_by_label"],
                status,
            ),
            strict=True,
        ):
            cell.text = str(text)

    doc.add_heading(f"二、本月新增称号（{len(d['new_titles'])}项）", level=1)
    _titles_table(
        doc,
        d["new_titles"],
        ("企业", "板块", "称号", "级别", "批次", "认定日期"),
        ("enterprise", "region", "tier", "level", "batch", "granted"),
    )

    doc.add_heading(f"三、{d['expiry_months']}个月内到期称号（{len(d['expiring'])}项）", level=1)
    _titles_table(
        doc,
        d["expiring"],
        ("企业", "板块", "称号", "级别", "有效期至"),
        ("enterprise", "region", "tier", "level", "valid_until"),
    )

    if d["ranking"]:
        doc.add_heading("四、板块排名", level=1)
        doc.add_paragraph("按持有有效梯度称号的企业数排名，并列时按本年新增称号企业数。")
        tbl = doc.add_table(rows=1, cols=4)
        tbl.style = "Table Grid"
        for cell, text in zip(
            tbl.rows[0].cells, ("名次", "板块", "有效称号企业", "本年新增"), strict=True
        ):
            cell.text = text
        for r in d["ranking"]:
            cells = tbl.add_row().cells
            for cell, text in zip(
                cells, (r["rank"], r["region"], r["held"], r["new"]), strict=True
            ):
                cell.text = str(text)
    for section in d.get("extra", []):
        doc.add_heading(section["title"], level=1)
        for para in section.get("paragraphs", []):
            doc.add_paragraph(para)
        if section.get("rows"):
            tbl = doc.add_table(rows=1, cols=len(section["headers"]))
            tbl.style = "Table Grid"
            for cell, text in zip(tbl.rows[0].cells, section["headers"], strict=True):
                cell.text = text
            for r in section["rows"]:
                for cell, text in zip(tbl.add_row().cells, r, strict=True):
                    cell.text = str(text)
    doc.add_paragraph("")
    if d.get("target_ranking"):
        doc.add_heading("五、板块目标完成排名", level=1)
        doc.add_paragraph("按各板块分解任务（数量类目标）的平均完成进度排名，单项进度以100%封顶。")
        tbl = doc.add_table(rows=1, cols=4)
        tbl.style = "Table Grid"
        for cell, text in zip(
            tbl.rows[0].cells, ("名次", "板块", "平均完成进度", "已完成分解任务"), strict=True
        ):
            cell.text = text
        for r in d["target_ranking"]:
            vals = (
                r["rank"],
                r["region"],
                "—" if r["score"] is None else f"{r['score']}%",
                r["met"],
            )
            for cell, text in zip(tbl.add_row().cells, vals, strict=True):
                cell.text = str(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_charts(doc, d: dict) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    from .bulletin_charts import TITLES, render_png

    for key, png in render_png(d["charts"]).items():
        doc.add_picture(io.BytesIO(png), width=Cm(16))
        cap = doc.add_paragraph(TITLES[key])
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER


def chart_images(d: dict) -> list[dict]:
    """The charts as data: URIs (PDF) with their captions."""
    import base64

    from .bulletin_charts import TITLES, render_png

    return [
        {"title": TITLES[k], "src": "data:image/png;base64," + base64.b64encode(v).decode()}
        for k, v in render_png(d["charts"]).items()
    ]


def _titles_table(doc, rows, headers, keys) -> None:
    if not rows:
        doc.add_paragraph("无。")
        return
    tbl = doc.add_table(rows=1, cols=len(headers))
    tbl.style = "Table Grid"
    for cell, text in zip(tbl.rows[0].cells, headers, strict=True):
        cell.text = text
    for r in rows:
        cells = tbl.add_row().cells
        for cell, k in zip(cells, keys, strict=True):
            cell.text = str(r[k])


def to_html(d: dict) -> str:
    return render_to_string("cultivation/bulletin_print.html", {"d": d, "charts": chart_images(d)})


def to_pdf(d: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(d)).write_pdf()


def render(month: str, fmt: str, scope: selectors.Scope = selectors.CITY) -> bytes:
    d = data(month, scope)
    if fmt == "docx":
        return to_docx(d)
    if fmt == "pdf":
        return to_pdf(d)
    raise ValueError(f"通报格式应为 docx 或 pdf，收到“{fmt}”")
