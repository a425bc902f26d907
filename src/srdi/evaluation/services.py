"""Evaluation services: the one function the CLI, the API and the web UI call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from srdi import rules
from srdi.rules import as_date, standards_in_force

from .models import EvaluationRecord


class EvaluationInputError(ValueError):
    """Unusable request (unknown standard, bad date): every problem, in Chinese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def resolve_request(
    standard_ids: Iterable[str] | None, as_of: dt.date | str | None, review: bool
) -> tuple[list[str], dt.date]:
    problems: list[str] = []
    day = None
    try:
        day = as_date(as_of)
    except ValueError:
        problems.append(_("评估日期“%(d)s”无效，应为 YYYY-MM-DD") % {"d": as_of})
    ids = list(standard_ids or [])
    known = {s.id for s in rules.list_standards()}
    for sid in ids:
        if sid not in known:
            problems.append(
                _("未知的认定标准“%(s)s”，可选：%(k)s") % {"s": sid, "k": "、".join(sorted(known))}
            )
    if problems:
        raise EvaluationInputError(problems)
    assert day is not None
    if not ids:
        ids = standards_in_force(day, review)
    return ids, day


def evaluate_profiles(
    profiles: list[dict],
    standard_ids: Iterable[str] | None = None,
    as_of: dt.date | str | None = None,
    review: bool = False,
    *,
    explain: bool = False,
) -> dict:
    """The contract's JSON document for profiles × standards (input order, standards as asked)."""
    ids, day = resolve_request(standard_ids, as_of, review)
    stds = [rules.load_standard(s) for s in ids]
    results = []
    for p in profiles:
        prof = rules.normalise(p)
        for std in stds:
            results.append(_clean(rules.evaluate_with(std, prof, day, review, explain=explain)))
    return {"as_of": day.isoformat(), "review": review, "standards": ids, "results": results}


def _clean(r: dict) -> dict:
    r.pop("as_of", None)
    r.pop("review", None)
    return r


def evaluate_enterprises(
    queryset,
    standard_ids: Iterable[str] | None = None,
    as_of: dt.date | str | None = None,
    review: bool = False,
    *,
    user=None,
    save: bool = True,
    explain: bool = False,
    summary: bool = False,
) -> dict:
    """Evaluate stored enterprises (the caller scopes ``queryset``); save each result with the
    rule-file version and the input snapshot.

    ``summary=True``: the columnar evaluator (outcome, score, dimensions, size class, route per
    result; for whole populations); the full result with gaps and trace is reproducible from the
    saved snapshot and version.
    """
    from srdi.exchange import to_json_obj
    from srdi.registry.selectors import iter_normalised_profiles

    ids, day = resolve_request(standard_ids, as_of, review)
    stds = [rules.load_standard(s) for s in ids]
    if summary:
        return _evaluate_summary(queryset, stds, ids, day, review, user, save)
    results: list[dict] = []
    records: list[EvaluationRecord] = []
    for enterprise, normalised in iter_normalised_profiles(queryset):
        prof = rules.normalise(normalised)
        snapshot = to_json_obj(normalised) if save else None
        for std in stds:
            r = _clean(rules.evaluate_with(std, prof, day, review, explain=explain))
            r.setdefault("name", enterprise.name)
            results.append(r)
            if save:
                records.append(
                    EvaluationRecord(
                        enterprise=enterprise,
                        standard=std.id,
                        version=std.version,
                        as_of=day,
                        review=review,
                        outcome=r["outcome"],
                        score=r["score"],
                        result={k: v for k, v in r.items() if k != "trace"},
                        profile=snapshot,
                        created_by=user if user is not None and user.is_authenticated else None,
                    )
                )
    if save and records:
        with transaction.atomic():
            EvaluationRecord.objects.bulk_create(records, batch_size=2000)
    return {"as_of": day.isoformat(), "review": review, "standards": ids, "results": results}


def _evaluate_summary(queryset, stds, ids, day, review, user, save) -> dict:
    from srdi.exchange import to_json_obj
    from srdi.registry.selectors import iter_normalised_profiles
    from srdi.rules.columnar import build_frame, columns_for, evaluate_frame, rows_from_frame

    size_std = rules.load_standard(rules.SIZE_STANDARD)
    columns = columns_for(stds, size_std)
    results: list[dict] = []
    chunk_size = 20000
    pairs = iter_normalised_profiles(queryset, chunk=chunk_size)
    created_by = user if user is not None and user.is_authenticated else None
    while True:
        chunk = []
        for pair in pairs:
            chunk.append(pair)
            if len(chunk) >= chunk_size:
                break
        if not chunk:
            break
        profs = [rules.normalise(p) for _e, p in chunk]
        frame = build_frame(profs, columns, day.year)
        rows = rows_from_frame(evaluate_frame(frame, stds, day, review, size_std), stds)
        records = []
        it = iter(rows)
        for enterprise, normalised in chunk:
            snapshot = to_json_obj(normalised) if save else None
            for std in stds:
                r = next(it)
                r["name"] = enterprise.name
                r["version"] = std.version
                results.append(r)
                if save:
                    records.append(
                        EvaluationRecord(
                            enterprise=enterprise,
                            standard=std.id,
                            version=std.version,
                            as_of=day,
                            review=review,
                            outcome=r["outcome"],
                            score=r.get("score"),
                            result=r,
                            profile=snapshot,
                            created_by=created_by,
                        )
                    )
        if records:
            with transaction.atomic():
                EvaluationRecord.objects.bulk_create(records, batch_size=5000)
        if len(chunk) < chunk_size:
            break
    return {"as_of": day.isoformat(), "review": review, "standards": ids, "results": results}


def latest_results(enterprise) -> list[EvaluationRecord]:
    """The newest stored record per standard of one enterprise."""
    seen: dict[str, EvaluationRecord] = {}
    for rec in EvaluationRecord.objects.filter(enterprise=enterprise).order_by(
        "-created_at", "-id"
    ):
        seen.setdefault(rec.standard, rec)
    return list(seen.values())
