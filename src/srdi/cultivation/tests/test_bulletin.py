import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from srdi.cultivation import bulletin

D = dt.date


@pytest.fixture
def data(enterprises, make_title):
    a, b = enterprises
    make_title(a, "little_giant", level="national", granted=D(2026, 10, 20), batch="第七批")
    make_title(b, "srdi_sme", granted=D(2023, 11, 1))  # valid until 2026-10-31: expiring
    return a, b


def docx_text(content: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_month_bulletin_docx(data, tmp_path):
    out = tmp_path / "b.docx"
    call_command("bulletin", "--month", "2026-10", "-o", str(out))
    text = docx_text(out.read_bytes())
    assert "工作通报（2026年10月）" in text
    assert "一、目标任务进展" in text and "制造业单项冠军和专精特新“小巨人”企业" in text
    assert "二、本月新增称号（1项）" in text and data[0].name in text
    assert "三、6个月内到期称号（1项）" in text and data[1].name in text
    assert "四、板块排名" in text and "梅李镇" in text


def test_ranking_orders_regions(data):
    d = bulletin.data("2026-10")
    assert [r["rank"] for r in d["ranking"]] == [1, 2]
    assert d["ranking"][0]["held"] >= d["ranking"][1]["held"]


def test_bad_month_and_format():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("bulletin", "--month", "2026/10", "-o", "x.docx")
    with pytest.raises(CommandError, match=".docx 或 .pdf"):
        call_command("bulletin", "--month", "2026-10", "-o", "x.txt")


def test_pdf_bulletin(data, tmp_path):
    out = tmp_path / "b.pdf"
    call_command("bulletin", "--month", "2026-10", "-o", str(out))
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert data[0].name in text


def test_bulletin_web_download_scoped(users, data, login):
    c = login(users["region_officer"])
    r = c.get("/cultivation/bulletin/?month=2026-10&format=docx")
    assert r.status_code == 200
    text = docx_text(r.content)
    assert data[0].name in text and data[1].name not in text  # other 板块 left out
    assert "四、板块排名" not in text
    page = c.get("/cultivation/bulletin/?month=2026-10").content.decode()
    assert data[0].name in page


def test_bulletin_charts_in_web_docx_and_pdf_job(users, data, login):
    """Issue 11 items 7-8: the charts (targets progress, tiers by 板块, this month's movements)
    are on the page, in the DOCX as pictures and in the PDF, which is made by a job."""
    import json
    import re

    from srdi.core.models import Job

    d = bulletin.data("2026-10")
    c = d["charts"]
    assert c["movements"]["new"][c["movements"]["labels"].index("专精特新“小巨人”企业")] == 1
    assert set(c["regions"]) == {"梅李镇", "海虞镇"} or "梅李镇" in c["regions"]
    client = login(users["admin"])
    page = client.get("/cultivation/bulletin/?month=2026-10").content.decode()
    assert "chart-b-targets" in page and "echarts.min.js" in page
    got = json.loads(
        re.search(r'id="bulletin-charts-data"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    assert got["regions"] == c["regions"]
    from docx import Document

    doc = Document(
        io.BytesIO(client.get("/cultivation/bulletin/?month=2026-10&format=docx").content)
    )
    assert len(doc.inline_shapes) >= 2
    assert any(p.text.startswith("图2") for p in doc.paragraphs)
    r = client.get("/cultivation/bulletin/?month=2026-10&format=pdf")
    job = Job.objects.get(kind="bulletin_pdf")
    assert r.url == f"/jobs/{job.pk}/" and job.status == "done", job.message
    content = client.get(f"/jobs/{job.pk}/download").getvalue()
    assert content.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "图1" in text and data[0].name in text
    assert sum(len(p.images) for p in reader.pages) >= 2
