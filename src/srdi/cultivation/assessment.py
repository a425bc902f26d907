"""The final assessment of a plan (计划完成情况总结): each target's value on its deadline against
the figure, met or not, the trend over the plan's years (stored snapshots where taken, else
measured again from the dated records — said which), and by 板块; as web, PDF and DOCX.

    d = assessment.data("2023-2025")
    assessment.render("2023-2025", "docx" | "pdf")
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.template.loader import render_to_string

from . import targets
from .models import TargetSnapshot
from .selectors import CITY


def _year_points(p: dict, defn: dict) -> list[dict]:
    snaps = {
        s.as_of: s.actual
        for s in TargetSnapshot.objects.filter(plan=p["key"], target_id=defn["id"], region=None)
    }
    out = []
    for year in range(p["period"]["start"].year, p["period"]["end"].year + 1):
        day = min(dt.date(year, 12, 31), defn["deadline"])
        if day in snaps:
            out.append({"year": year, "value": targets._jsonnum(snaps[day]), "source": "快照"})
        elif not targets.connected(defn):
            out.append({"year": year, "value": None, "source": "未接入"})
        else:
            v = targets.measure(defn, day, CITY)["actual"]
            out.append({"year": year, "value": targets._jsonnum(v), "source": "按记录回算"})
    return out


def data(plan_key: str) -> dict:
    p = targets.plan(plan_key)
    end = p["period"]["end"]
    rows = []
    for defn in p["targets"]:
        r = targets.row(defn, max(end, defn["deadline"]), CITY, with_forecast=False)
        r["years"] = _year_points(p, defn)
        r["regions"] = (
            targets.by_region(defn, defn["deadline"])
            if defn.get("split") != "none" and r["connected"]
            else []
        )
        rows.append(r)
    counts = {
        k: sum(1 for r in rows if r["status"] == k)
        for k in ("met", "missed", "not_connected", "no_data")
    }
    years = list(range(p["period"]["start"].year, end.year + 1))
    return {
        "site": settings.SRDI_SITE_NAME,
        "city": settings.SRDI_CITY,
        "plan": p,
        "title": f"{p['title']}完成情况总结",
        "end": end,
        "rows": rows,
        "years": years,
        "counts": counts,
        "total": len(rows),
        "ranking": targets.region_ranking(end, p["key"]),
        "finished": dt.date.today() > end,
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


def _summary(d: dict) -> str:
    c = d["counts"]
    text = (
        f"计划共有数量目标{d['total']}项。截至{d['end'].year}年{d['end'].month}月{d['end'].day}日，"
        f"已达成{c['met']}项，未达成{c['missed']}项"
    )
    if c["not_connected"]:
        text += f"，{c['not_connected']}项所属业务模块尚未接入平台、暂无记录"
    if c["no_data"]:
        text += f"，{c['no_data']}项暂无数据"
    return text + "。"


def _value(r: dict) -> str:
    if not r["connected"]:
        return "未接入"
    return "—" if r["actual"] is None else f"{r['actual']}{r['unit']}"


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
    h = doc.add_heading(d["title"], level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = d["plan"]
    doc.add_paragraph(
        f"计划文件：{p['document']}　计划期：{p['period']['start'].isoformat()} 至 "
        f"{p['period']['end'].isoformat()}　生成时间：{d['generated']}"
    )
    doc.add_paragraph(_summary(d))

    doc.add_heading("一、各项目标完成情况", level=1)
    headers = ("条目", "目标", "目标值", "期末实际值", "结论", *[f"{y}年末" for y in d["years"]])
    tbl = doc.add_table(rows=1, cols=len(headers))
    tbl.style = "Table Grid"
    for cell, text in zip(tbl.rows[0].cells, headers, strict=True):
        cell.text = text
    for r in d["rows"]:
        vals = [r["section"], r["name"], r["target_label"], _value(r), r["status_label"]]
        vals += [
            "未接入"
            if y["source"] == "未接入"
            else ("—" if y["value"] is None else str(y["value"]))
            for y in r["years"]
        ]
        for cell, text in zip(tbl.add_row().cells, vals, strict=True):
            cell.text = str(text)

    doc.add_heading("二、计划原文与计数口径", level=1)
    for r in d["rows"]:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(f"{r['section']} {r['name']}：").bold = True
        para.add_run(f"原文“{r['wording']}”。计数口径：{r['reading']}")
    doc.add_paragraph(
        "趋势数据：取自各年末保存的进度快照；未保存快照的年份按平台带日期的记录回算。"
    )

    if d["ranking"]:
        doc.add_heading("三、各板块完成情况", level=1)
        doc.add_paragraph("按各板块分解任务（数量类目标）的平均完成进度排名，单项进度以100%封顶。")
        tbl = doc.add_table(rows=1, cols=5)
        tbl.style = "Table Grid"
        for cell, text in zip(
            tbl.rows[0].cells,
            ("名次", "板块", "平均完成进度", "计入目标数", "已完成分解任务"),
            strict=True,
        ):
            cell.text = text
        for r in d["ranking"]:
            vals = (
                r["rank"],
                r["region"],
                "—" if r["score"] is None else f"{r['score']}%",
                r["targets"],
                r["met"],
            )
            for cell, text in zip(tbl.add_row().cells, vals, strict=True):
                cell.text = str(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_html(d: dict) -> str:
    return render_to_string("cultivation/final_print.html", {"d": d, "summary": _summary(d)})


def to_pdf(d: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(d)).write_pdf()


def render(plan_key: str, fmt: str) -> bytes:
    d = data(plan_key)
    if fmt == "docx":
        return to_docx(d)
    if fmt == "pdf":
        return to_pdf(d)
    raise ValueError(f"总结格式应为 docx 或 pdf，收到“{fmt}”")


summary = _summary
