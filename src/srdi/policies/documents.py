"""Application documents (DOCX, XLSX) filled from the pre-filled application data."""

from __future__ import annotations

import io

from .models import Application

FIGURE_LABELS = {
    "revenue": "营业收入(万元)",
    "main_revenue": "主营业务收入(万元)",
    "employees": "从业人员",
    "rd_expense": "研发费用(万元)",
    "local_contribution": "地方财政贡献(万元)",
    "net_profit": "净利润(万元)",
}
MET = {True: "符合", False: "不符合", None: "待核实"}


def _rows(app: Application) -> list[tuple[str, str]]:
    d = app.data
    e = d.get("enterprise", {})
    rows = [
        ("政策名称", app.policy.title),
        ("政策版本", str(app.version)),
        ("企业名称", e.get("name", "")),
        ("统一社会信用代码", e.get("uscc", "")),
        ("所属板块", e.get("region", "")),
        ("主导产品", e.get("main_product", "")),
    ]
    for k, label in FIGURE_LABELS.items():
        v = (d.get("figures") or {}).get(k)
        rows.append((f"{d.get('year')}年{label}", "" if v is None else str(v)))
    for c in (d.get("match") or {}).get("conditions", []):
        rows.append((f"条件：{c['label']}", MET[c["met"]]))
    est = app.amount_estimated
    rows += [
        ("测算金额(万元)", "待核定" if est is None else str(est.normalize())),
        (
            "申请金额(万元)",
            "" if app.amount_requested is None else str(app.amount_requested.normalize()),
        ),
        ("联系人", d.get("contact_person", "")),
        ("联系电话", d.get("contact_phone", "")),
        ("补充说明", d.get("remarks", "")),
        ("申报材料", "；".join(d.get("materials") or [])),
        ("状态", app.get_status_display()),
    ]
    return rows


def application_docx(app: Application) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(f"{app.policy.title} 申报表", level=1)
    rows = _rows(app)
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (k, v) in enumerate(rows):
        table.cell(i, 0).text = k
        table.cell(i, 1).text = v
    doc.add_paragraph("本表由常熟市专精特新企业培育服务平台根据企业库数据自动预填，请核对后签章。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def application_xlsx(app: Application) -> bytes:
    from srdi.core import xlsx

    return xlsx.workbook([xlsx.Sheet("申报表", ["项目", "内容"], _rows(app), widths=(36, 60))])
