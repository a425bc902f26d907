"""Reports: PDF text, DOCX, HTML; the CLI (single, batch with progress bar, a broken record)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from docx import Document
from pypdf import PdfReader

from srdi.diagnosis import engine, render, services

from .factories import example_profiles, store_profiles

AS_OF = dt.date(2025, 6, 30)
JINGGONG = "91320581712345672C"
NAME = "常熟市精工轴承有限公司"


@pytest.fixture
def examples(db):
    return store_profiles(example_profiles())


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    parts += [p.text for s in doc.sections for p in s.footer.paragraphs]
    return "\n".join(parts)


def test_pdf_contains_name_scores_gap_plan_cover(examples):
    d = services.diagnose(examples[0], AS_OF)
    text = pdf_text(render.render(d, "pdf"))
    flat = text.replace("\n", "")
    assert NAME in text
    assert "常熟市工业和信息化局" in text and "专精特新企业把脉诊断报告" in text
    assert "数据截至" in text and "2024年度" in text
    assert "第 2 页 / 共" in text  # the cover (page 1) carries no number
    for s in d["standards"]:  # every score, as the rules core gave it
        if s["score"] is not None:
            assert f"得分 {s['score']} / 及格 {s['pass_score']}" in flat
    assert "得分 71 / 及格 60" in flat
    assert "主导产品细分市场占有率（%）" in flat and "≥10" in flat  # the gap plan
    for r in d["rule_versions"]:  # the rule-file versions used
        assert r["version"] in flat


def test_docx_is_editable_and_holds_the_same(examples):
    d = services.diagnose(examples[0], AS_OF)
    data = render.render(d, "docx")
    text = docx_text(data)
    assert NAME in text and "常熟市工业和信息化局" in text
    assert "得分 71 / 及格 60" in text
    assert "主导产品细分市场占有率（%）" in text and "≥10" in text
    assert "数据截至：2024年度" in text
    doc = Document(io.BytesIO(data))
    assert len(doc.inline_shapes) >= 2  # radar, trend (and gap bars): real pictures
    assert any(
        "PAGE" in el.text for s in doc.sections for el in s.footer._element.iter() if el.text
    )


def test_html_is_self_contained(examples):
    d = services.diagnose(examples[0], AS_OF)
    html = render.render(d, "html").decode("utf-8")
    assert NAME in html and "data:image/png;base64," in html and "<script" not in html


def test_cli_single_pdf_and_docx(examples, tmp_path):
    pdf = tmp_path / "a.pdf"
    call_command("report", JINGGONG, format="pdf", as_of="2025-06-30", output=str(pdf))
    text = pdf_text(pdf.read_bytes()).replace("\n", "")
    assert NAME in text and "得分 71 / 及格 60" in text
    doc = tmp_path / "a.docx"
    call_command("report", JINGGONG, format="docx", as_of="2025-06-30", output=str(doc))
    text = docx_text(doc.read_bytes())
    assert NAME in text and "得分 71 / 及格 60" in text


def test_cli_bad_input(examples, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="“--as-of”不是有效日期.*30/06/2025") as e:
        call_command("report", JINGGONG, as_of="30/06/2025", output=str(tmp_path / "x.pdf"))
    assert e.value.returncode == 2  # unusable input
    with pytest.raises(CommandError, match="未找到"):
        call_command("report", "91320581712345673X", output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="未知的板块"):
        call_command("report", region="不存在镇", output=str(tmp_path))
    with pytest.raises(CommandError, match="二者选一"):
        call_command("report")


def test_cli_batch_with_progress_bar(examples, tmp_path):
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "report", region="梅李镇", format="html", as_of="2025-06-30", output=str(tmp_path / "out"),
        workers=1, stdout=out, stderr=err,
    )  # fmt: skip
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    in_region = [e for e in examples if e.region and e.region.name == "梅李镇"]
    assert len(files) == len(in_region) >= 2
    assert f"{len(in_region)}/{len(in_region)} 100%" in err.getvalue()
    assert "█" in err.getvalue()
    assert "成功生成" in out.getvalue()


def test_batch_survives_a_broken_record(examples, tmp_path, monkeypatch):
    real = engine.build_profile

    def flaky(e):
        if e.uscc == JINGGONG:
            raise ValueError("年度数据损坏")
        return real(e)

    monkeypatch.setattr(engine, "build_profile", flaky)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("report", region="梅李镇", format="html", as_of="2025-06-30",
                     output=str(tmp_path / "out"), workers=1, stderr=err)  # fmt: skip
    assert exit_.value.code == 1
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert any("精工传动" in n for n in names)  # the other one was written
    assert not any(JINGGONG in n for n in names)
    errors = (tmp_path / "out" / "错误清单.txt").read_text(encoding="utf-8")
    assert JINGGONG in errors and "年度数据损坏" in errors
    assert "年度数据损坏" in err.getvalue()


def test_batch_pool_renders_pdfs_in_workers(examples, tmp_path):
    """The forked rendering pool (used outside tests' inline mode) writes the same files."""
    from srdi.diagnosis.batch import ZipSink, run_batch
    from srdi.registry.models import Enterprise

    sink = ZipSink()
    result = run_batch(
        Enterprise.objects.filter(region__name="梅李镇"), "pdf", AS_OF, sink=sink, workers=2
    )
    data = sink.close(result)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == result.total == len(result.done) >= 2 and not result.failed
    pdf = zipfile.ZipFile(io.BytesIO(data)).read(next(n for n in names if JINGGONG in n))
    assert NAME in pdf_text(pdf)
