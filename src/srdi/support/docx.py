"""一企一策 as a Word document (python-docx, CJK font)."""

from __future__ import annotations

import io

from django.utils import timezone

from srdi.core import formatting as fmt

from .models import ServicePlan
from .sections import COLUMNS, plan_rows


def plan_docx(plan: ServicePlan) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    e = plan.enterprise
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    style.font.size = Pt(10.5)
    h = doc.add_heading(f"{e.name} “一企一策”服务计划", level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    comms = "、".join(str(u) for u in e.commissioners.all()) or "—"
    doc.add_paragraph(
        f"统一社会信用代码：{e.uscc}　所属板块：{e.region.name if e.region_id else '—'}　"
        f"服务专员：{comms}　生成日期：{fmt.date_zh(timezone.localdate())}"
    )
    doc.add_paragraph(
        "依据：常熟市专精特新企业培育三年行动计划二(八)，"
        "“一企一策”精准提供创新、融资、人才、市场等专业服务。"
    )
    if plan.summary:
        doc.add_heading("总体思路", level=1)
        doc.add_paragraph(plan.summary)
    doc.add_heading("服务事项", level=1)
    rows = plan_rows(plan)
    if not rows:
        doc.add_paragraph("暂无已采纳的事项。")
    else:
        tbl = doc.add_table(rows=1, cols=len(COLUMNS))
        tbl.style = "Table Grid"
        for cell, text in zip(tbl.rows[0].cells, COLUMNS, strict=True):
            cell.text = str(text)
        for r in rows:
            for cell, text in zip(tbl.add_row().cells, r, strict=True):
                cell.text = str(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
