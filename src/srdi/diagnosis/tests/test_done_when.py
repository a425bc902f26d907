"""Issue 4 "done when", as commands: import the contract's examples, then `srdi report`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from .factories import EXAMPLES, LOCAL_EXAMPLES
from .test_reports import docx_text, pdf_text

USCC = "91320581712345672C"


@pytest.fixture
def imported(db):
    call_command("loadref", stdout=io.StringIO())  # the 板块 and classifications, as `make run`
    path = EXAMPLES if EXAMPLES.exists() else LOCAL_EXAMPLES
    call_command("import", str(path), stdout=io.StringIO())
    from srdi.registry.models import Enterprise

    assert Enterprise.objects.filter(uscc=USCC).exists()


def test_srdi_report_pdf_and_docx_after_import(imported, tmp_path):
    a = tmp_path / "a.pdf"
    call_command(
        "report", USCC, format="pdf", as_of="2025-06-30", output=str(a), stdout=io.StringIO()
    )
    text = pdf_text(a.read_bytes()).replace("\n", "")
    assert "常熟市精工轴承有限公司" in text
    assert "专精特新中小企业认定标准（2022）" in text and "得分 71 / 及格 60" in text
    b = tmp_path / "a.docx"
    call_command(
        "report", USCC, format="docx", as_of="2025-06-30", output=str(b), stdout=io.StringIO()
    )
    text = docx_text(b.read_bytes())
    assert "常熟市精工轴承有限公司" in text and "得分 71 / 及格 60" in text
