"""Issue 10 item 12: the project stands alone.

No code, test, benchmark or build file reads outside the repository (no ``../shared``, no
absolute path of one machine); the contracts the code and the OpenAPI description cite are the
project's own documents under docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("src", "tests", "bench", ".ci")
FILES = ("Makefile", "pyproject.toml", "conftest.py")
# reading a sibling folder of the checkout, or a machine's own absolute path
OUTSIDE = [
    re.compile(r"""parents?\[\d+\]\s*/\s*["']shared["']"""),
    re.compile(r"""parent\s*/\s*["']shared["']"""),
    re.compile(r"""\.\./shared\b"""),
    re.compile(r"""["']/work/"""),
    re.compile(r"""["']/home/[a-z]"""),
    re.compile(r"""SRDI_SHARED_DIR"""),
]


def _files():
    for name in FILES:
        if (REPO / name).exists():
            yield REPO / name
    for top in SCANNED:
        for path in (REPO / top).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".sh", ".toml", ".cfg", ".ini", ""}:
                if "__pycache__" not in path.parts:
                    yield path


def test_nothing_reads_outside_the_repository():
    me = Path(__file__).resolve()
    offenders = []
    for path in _files():
        if path.resolve() == me:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for pattern in OUTSIDE:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                offenders.append(f"{path.relative_to(REPO)}:{line}: {m.group(0)}")
    assert offenders == []


def test_the_contracts_are_the_projects_own_documents():
    from srdi.api import api
    from srdi.core.testing import examples_dir

    docs = REPO / "docs"
    for name in (
        "contracts/enterprise-profile.md",
        "contracts/evaluation.md",
        "contracts/examples/profiles.json",
        "contracts/examples/expected.json",
        "reference/plan-2023-2025.md",
    ):
        assert (docs / name).is_file(), name
    assert examples_dir() == docs / "contracts" / "examples"
    schema = str(api.get_openapi_schema())
    assert "docs/contracts/enterprise-profile.md" in schema
    assert "docs/contracts/evaluation.md" in schema
    assert "shared/contracts" not in schema
