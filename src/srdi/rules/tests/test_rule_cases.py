"""Run every rule file's own cases, and check that they cover every band edge and condition."""

from __future__ import annotations

import pytest

from srdi.rules import evaluate, list_standards
from srdi.rules.expr import NicheYears, TopInput, YearInput

from .cases import case_files, load_cases

ALL = [c for f in case_files() for c in load_cases(f)[1]]


def _check(case: dict, got: dict) -> None:
    exp = case["expect"]
    for key in ("outcome", "score", "size_class", "route"):
        if key in exp:
            assert got.get(key) == exp[key], f"{key}: got {got.get(key)!r}, expected {exp[key]!r}"
    conds = {c["id"]: c for c in got["conditions"]}
    for cid, met in (exp.get("conditions") or {}).items():
        assert conds[cid]["met"] == met, (
            f"condition {cid}: got {conds[cid]['met']!r}, expected {met!r}"
        )
    inds = {i["id"]: i for i in got["indicators"]}
    for iid, want in (exp.get("indicators") or {}).items():
        want = want if isinstance(want, dict) else {"points": want}
        for k, v in want.items():
            assert inds[iid][k] == v, f"indicator {iid}.{k}: got {inds[iid][k]!r}, expected {v!r}"
    for path in exp.get("missing") or []:
        assert path in got["missing"], f"{path} not reported missing: {got['missing']}"
    for k, v in (exp.get("dimensions") or {}).items():
        assert got["dimensions"][k] == v


@pytest.mark.parametrize("case", ALL, ids=[f"{c['file']}::{c['name']}" for c in ALL])
def test_rule_file_case(case: dict) -> None:
    got = evaluate(case["profile"], case["standard"], case["as_of"], case["review"])
    _check(case, got)


def test_every_standard_has_cases() -> None:
    have = {load_cases(f)[0]["standard"] for f in case_files()}
    assert {s.id for s in list_standards()} <= have


@pytest.mark.parametrize("std", list_standards(), ids=lambda s: s.id)
def test_cases_cover_every_band_and_condition(std) -> None:
    cases = [c for c in ALL if c["standard"] == std.id]
    seen_band: set[tuple[str, str]] = set()
    seen_points: set[tuple[str, object]] = set()
    seen_cond: set[tuple[str, object]] = set()
    edges: set[tuple[str, str]] = set()
    for c in cases:
        exp = c["expect"]
        for iid, want in (exp.get("indicators") or {}).items():
            want = want if isinstance(want, dict) else {"points": want}
            if "band" in want:
                seen_band.add((iid, want["band"]))
            seen_points.add((iid, want.get("points")))
        for cid, met in (exp.get("conditions") or {}).items():
            seen_cond.add((cid, met))
        for e in c.get("edge") or []:
            iid, _, band = e.partition("/")
            edges.add((iid, band))
    problems = []
    for ind in std.indicators:
        for b in ind.bands:
            if (ind.id, b.band) not in seen_band:
                problems.append(f"indicator {ind.id} band {b.band} has no case")
            if b.thresholds and (ind.id, b.band) not in edges:
                problems.append(f"indicator {ind.id} band {b.band}: no case exactly on its edge")
        if ind.points_rule is not None:
            reads_measurement = any(
                isinstance(n, (TopInput, YearInput)) and not n.decl or isinstance(n, NicheYears)
                for n in ind.points_rule.walk()
            )
            if reads_measurement and (ind.id, None) not in seen_points:
                problems.append(f"indicator {ind.id}: no missing-data case")
            if len({p for i, p in seen_points if i == ind.id}) < 3:
                problems.append(f"indicator {ind.id}: fewer than 3 point values tested")
    for cond in std.conditions:
        if cond.role == "manual":
            continue
        for met in (True, False):
            if (cond.id, met) not in seen_cond:
                problems.append(f"condition {cond.id}: no case with met={met}")
    outcomes = {c["expect"].get("outcome") for c in cases}
    for o in ("eligible", "ineligible", "undetermined"):
        if o not in outcomes:
            problems.append(f"no case with outcome {o}")
    assert not problems, "\n".join(problems)
