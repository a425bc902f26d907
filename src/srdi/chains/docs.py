"""The DOCX fact sheet of a 特色产业集群 (for an application), with python-docx."""

from __future__ import annotations

import io

from django.utils import timezone

from srdi.core import formatting as fmt


def cluster_fact_sheet(cluster, user) -> bytes:
    from docx import Document
    from docx.shared import Pt

    from . import selectors

    s = selectors.cluster_stats(cluster, user)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(11)
    doc.add_heading(f"{cluster.name}情况表", level=1)
    rows = [
        ("集群名称", cluster.name),
        ("所在板块", cluster.region.name if cluster.region_id else "—"),
        ("所属产业链", cluster.chain.name if cluster.chain_id else "—"),
        ("牵头单位", cluster.lead_org or "—"),
        ("主导产品", cluster.leading_product or "—"),
        ("当前状态", cluster.get_status_display()),
        ("省级认定年份", str(cluster.provincial_year) if cluster.provincial_year else "—"),
        ("国家级认定年份", str(cluster.national_year) if cluster.national_year else "—"),
        ("成员企业", f"{fmt.count(s['count'])} 家"),
        (
            "成员营业收入合计",
            f"{fmt.wan(s['revenue'])}（{s['revenue_year']}年）" if s["revenue_year"] else "—",
        ),
        ("其中专精特新企业", f"{fmt.count(s['srdi'])} 家"),
        ("梯度分布", "、".join(f"{t} {fmt.count(n)} 家" for t, n in s["tiers"]) or "—"),
        (
            "知识产权",
            f"Ⅰ类 {fmt.count(s['patents']['class1'])} 项，Ⅱ类 {fmt.count(s['patents']['class2'])} 项",
        ),
        ("核实状态", cluster.get_verification_display()),
        ("资料来源", cluster.source or "—"),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = k, v
    doc.add_heading("成员企业名单", level=2)
    mt = doc.add_table(rows=1, cols=3)
    mt.style = "Table Grid"
    for c, h in zip(mt.rows[0].cells, ("企业名称", "统一社会信用代码", "板块"), strict=True):
        c.text = h
    for e in s["visible"]:
        cells = mt.add_row().cells
        cells[0].text, cells[1].text = e.name, e.uscc
        cells[2].text = e.region.name if e.region_id else "—"
    doc.add_paragraph(
        f"依据：《常熟市专精特新企业培育三年行动计划（2023—2025年）》二(二)。"
        f"生成日期：{fmt.date_zh(timezone.localdate())}。"
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
