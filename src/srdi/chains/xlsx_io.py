"""Chains and their nodes as an Excel workbook: the template, the export and the import.

One sheet 产业链环节, one row per node. The import is all-or-nothing: every problem is listed
with its row and column, and nothing is saved unless the whole file is good. Size limit:
``MAX_ROWS`` rows.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.db import transaction

from srdi.core import xlsx

SHEET = "产业链环节"
HEADERS = ["产业链编号", "产业链名称", "环节编号", "环节名称", "上中下游", "关键产品", "关键技术",
           "工业六基", "行业代码", "关键词", "关键环节"]  # fmt: skip
REQUIRED = ("产业链编号", "产业链名称", "环节名称", "上中下游")
MAX_ROWS = 5000


def _join(v) -> str:
    return "、".join(v or [])


def export_rows(chains) -> list[list]:
    from .reference import foundations

    f = foundations()
    rows = []
    for c in chains:
        for n in c.nodes.all():
            rows.append([c.code, c.name, n.code, n.name, n.get_segment_display(), _join(n.products),
                         _join(n.technologies), f.get(n.foundation, ""), _join(n.industry_codes),
                         _join(n.keywords), "是" if n.key_link else "否"])  # fmt: skip
    return rows


def export(chains) -> bytes:
    return xlsx.workbook([xlsx.Sheet(SHEET, HEADERS, export_rows(chains))])


def template() -> bytes:
    example = ["auto", "汽车及零部件", "bearing", "轴承与传动件", "中游", "轮毂轴承、齿轮",
               "精密磨削", "核心基础零部件", "C345", "轴承、齿轮", "是"]  # fmt: skip
    return xlsx.workbook([xlsx.Sheet(SHEET, HEADERS, [example])])


def import_xlsx(user, content: bytes) -> dict:
    from openpyxl import load_workbook

    from . import services
    from .models import Chain, Node

    services.require_editor(user)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file
        raise ValidationError(
            [f"无法读取该文件：请上传 Excel（.xlsx）文件（工作表“{SHEET}”）。"]
        ) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ValidationError([f"表头缺少：{'、'.join(missing)}（请使用产业链导入模板）"])
    col = {h: i for i, h in enumerate(header)}
    parsed = []
    for r, values in enumerate(rows, start=2):
        if r - 1 > MAX_ROWS:
            raise ValidationError([f"行数超过上限 {MAX_ROWS} 行，请分批导入。"])
        values = list(values or [])
        cell = {h: ("" if i >= len(values) or values[i] is None else str(values[i]).strip())
                for h, i in col.items()}  # fmt: skip
        if not any(cell.values()):
            continue
        parsed.append((r, cell))
    if not parsed:
        raise ValidationError(["文件中没有数据行。"])
    problems: list[str] = []
    counts = {"chains": 0, "nodes": 0}
    try:
        with transaction.atomic():
            chains: dict[str, Chain] = {}
            for r, cell in parsed:
                for h in REQUIRED:
                    if not cell.get(h):
                        problems.append(f"第 {r} 行“{h}”为空")
                if any(p.startswith(f"第 {r} 行") for p in problems):
                    continue
                code = cell["产业链编号"]
                try:
                    if code not in chains:
                        existing = Chain.objects.filter(code=code).first()
                        data = {"code": code, "name": cell["产业链名称"],
                                "description": existing.description if existing else "",
                                "status": existing.status if existing else "unverified",
                                "source": existing.source if existing else "Excel 导入",
                                "key": existing.key if existing else True}  # fmt: skip
                        chains[code] = services.save_chain(user, data, existing)
                        counts["chains"] += 1
                    chain = chains[code]
                    node = (
                        Node.objects.filter(chain=chain, code=cell.get("环节编号")).first()
                        if cell.get("环节编号") else None
                    )  # fmt: skip
                    services.save_node(user, chain, {
                        "code": cell.get("环节编号", ""), "name": cell["环节名称"],
                        "segment": cell["上中下游"], "products": cell.get("关键产品", ""),
                        "technologies": cell.get("关键技术", ""),
                        "foundation": cell.get("工业六基", ""),
                        "industry_codes": cell.get("行业代码", ""),
                        "keywords": cell.get("关键词", ""),
                        "key_link": cell.get("关键环节", "") in ("是", "1", "Y", "y", "true"),
                    }, node)  # fmt: skip
                    counts["nodes"] += 1
                except ValidationError as exc:
                    problems.extend(f"第 {r} 行：{m}" for m in exc.messages)
            if problems:
                raise ValidationError(problems)
    except ValidationError:
        raise ValidationError(["导入失败，未导入任何数据：", *problems[:200]]) from None
    return counts
