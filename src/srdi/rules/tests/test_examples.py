"""The worked examples of the evaluation contract, exactly."""

from __future__ import annotations

import json

import pytest

from srdi.core.testing import examples_dir
from srdi.rules import evaluate

EXAMPLES = examples_dir()  # docs/contracts/examples: the evaluation contract's worked examples
ROWS = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
PROFILES = {
    p["uscc"]: p for p in json.loads((EXAMPLES / "profiles.json").read_text(encoding="utf-8"))
}


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['name']}-{r['standard']}-{r['review']}" for r in ROWS]
)
def test_worked_example(row: dict) -> None:
    got = evaluate(PROFILES[row["uscc"]], row["standard"], row["as_of"], row["review"])
    for key in ("outcome", "score", "size_class"):
        if key in row:
            assert got[key] == row[key], key
    json.dumps(got)  # JSON-serialisable, trace included
