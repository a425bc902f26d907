"""The worked examples of the evaluation contract, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srdi.rules import evaluate

EXAMPLES = Path(__file__).resolve().parents[5] / "shared" / "contracts" / "examples"
if not EXAMPLES.exists():  # the checkout's sibling folder
    EXAMPLES = Path("/work/shared/contracts/examples")
ROWS = (
    json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
    if EXAMPLES.exists()
    else []
)
PROFILES = (
    {p["uscc"]: p for p in json.loads((EXAMPLES / "profiles.json").read_text(encoding="utf-8"))}
    if EXAMPLES.exists()
    else {}
)


@pytest.mark.skipif(not ROWS, reason="contract examples not available")
@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['name']}-{r['standard']}-{r['review']}" for r in ROWS]
)
def test_worked_example(row: dict) -> None:
    got = evaluate(PROFILES[row["uscc"]], row["standard"], row["as_of"], row["review"])
    for key in ("outcome", "score", "size_class"):
        if key in row:
            assert got[key] == row[key], key
    json.dumps(got)  # JSON-serialisable, trace included
