"""Evaluation services: the one function the CLI, the API and the web UI call.

Saving (``save=True``) writes one :class:`EvaluationRun`, the input snapshot of each enterprise
(content-hashed: an unchanged enterprise reuses its previous snapshot), one compact
:class:`EvaluationRecord` per enterprise × standard and the text of each rule-file version
used, in one transaction, plus one audit record for the run (an evaluation changes no
enterprise data). :func:`reproduce` evaluates a stored record again from its snapshot and
version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from srdi import rules
from srdi.rules import as_date, standards_in_force

from .models import EvaluationRecord, EvaluationRun, InputSnapshot, RuleVersion

Progress = Callable[[str, int, int], None]


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


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def may_save_runs(user) -> bool:
    """Who may create evaluation runs (stored results): the system and the command line
    (``user=None``), officials of the city, 板块 and departments, and an enterprise for itself
    (its own page). Banks, universities and commissioners read results without storing runs
    (issue 10, item 5)."""
    from srdi.accounts.roles import Role

    if user is None:
        return True
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or user.role in {Role.ADMIN, Role.DEPARTMENT, Role.REGION_OFFICER, Role.ENTERPRISE}
        )
    )


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
    results: bool = True,
    progress: Progress | None = None,
    timings: dict | None = None,
) -> dict:
    """Evaluate stored enterprises (the caller scopes ``queryset``); save each result with the
    rule-file version and the input snapshot.

    ``summary=True``: the whole-population mode. The registry is read column-wise
    (:func:`srdi.registry.frames.read_frame`) and evaluated by the columnar evaluator (outcome,
    score, dimensions, size class, route per result); the full result with gaps and trace is
    reproducible from the saved snapshot and version (:func:`reproduce`). ``results=False``
    leaves the per-result list out of the returned document (``counts`` and ``run`` say what
    was done; the records are in the database). ``progress(stage, done, total)`` is called as
    the stages finish; ``timings`` (a dict) receives the seconds spent per stage.
    """
    if save and not may_save_runs(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("您无权创建评估记录（可以查看评估结果）。")
    ids, day = resolve_request(standard_ids, as_of, review)
    stds = [rules.load_standard(s) for s in ids]
    if summary:
        doc = {"as_of": day.isoformat(), "review": review, "standards": ids}

        def build(pop: Population) -> None:
            t = time.perf_counter()
            if results:
                doc["results"] = pop.rows()
            else:
                doc["results"] = []
                doc["counts"] = pop.counts()
            pop.timings["results"] = time.perf_counter() - t

        pop = evaluate_population(
            queryset, stds, day, review, user=user, save=save, progress=progress, meanwhile=build
        )
        if pop.run is not None:
            doc["run"] = pop.run.pk
        if timings is not None:
            timings.update(pop.timings)
        return doc
    return _evaluate_full(queryset, stds, ids, day, review, user, save, explain)


def _evaluate_full(queryset, stds, ids, day, review, user, save, explain) -> dict:
    """One enterprise at a time with the scalar evaluator (explanations and gaps)."""
    from srdi.exchange import to_json_obj
    from srdi.exchange.writers import dumps_profile
    from srdi.registry.selectors import iter_normalised_profiles

    results: list[dict] = []
    pending: list[tuple] = []  # (enterprise, document text, digest, [result per standard])
    for enterprise, normalised in iter_normalised_profiles(queryset):
        prof = rules.normalise(normalised)
        rs = []
        for std in stds:
            r = _clean(rules.evaluate_with(std, prof, day, review, explain=explain))
            r.setdefault("name", enterprise.name)
            results.append(r)
            rs.append(r)
        if save:
            text = dumps_profile(to_json_obj(normalised))
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            pending.append((enterprise, text, digest, rs))
    if save and pending:
        size_std = rules.load_standard(rules.SIZE_STANDARD)
        with transaction.atomic():
            run = _new_run(stds, size_std, day, review, user, EvaluationRun.Mode.FULL)
            snaps = _snapshots_for([(e.pk, text, d) for e, text, d, _rs in pending])
            records = []
            for enterprise, _text, digest, rs in pending:
                snap = snaps[(enterprise.pk, digest)]
                for std, r in zip(stds, rs, strict=True):
                    records.append(
                        EvaluationRecord(
                            run=run,
                            enterprise=enterprise,
                            snapshot_id=snap,
                            standard=std.id,
                            version=std.version,
                            outcome=r["outcome"],
                            score=r["score"],
                            result={k: v for k, v in r.items() if k not in _COLUMNS},
                        )
                    )
            EvaluationRecord.objects.bulk_create(records, batch_size=2000)
            _finish_run(run, len(pending), len(records), snaps.new, pending[0][0])
    return {"as_of": day.isoformat(), "review": review, "standards": ids, "results": results}


#: result keys kept in their own columns (or the run, or the enterprise), not in ``result``
_COLUMNS = {"uscc", "name", "standard", "version", "outcome", "score", "trace"}


class _Snaps(dict):
    new = 0


def _snapshots_for(items: list[tuple[int, str, str]]) -> _Snaps:
    """(enterprise id, digest) → snapshot id, storing the documents not stored before."""
    out = _Snaps()
    ents = {e for e, _t, _d in items}
    digests = {d for _e, _t, d in items}
    for e, d, pk in InputSnapshot.objects.filter(
        enterprise_id__in=ents, digest__in=digests
    ).values_list("enterprise_id", "digest", "pk"):
        out[(e, d)] = pk
    now = timezone.now()
    new = {}
    for e, text, d in items:
        if (e, d) not in out and (e, d) not in new:
            new[(e, d)] = InputSnapshot(enterprise_id=e, digest=d, document=text, created_at=now)
    if new:
        created = InputSnapshot.objects.bulk_create(list(new.values()), batch_size=500)
        for key, snap in zip(new, created, strict=True):
            out[key] = snap.pk
        out.new = len(new)
    return out


def _new_run(stds, size_std, day, review, user, mode) -> EvaluationRun:
    """The run row (inside the caller's transaction). Saves of snapshots are serialised: two
    runs storing the same new document would otherwise collide on (enterprise, digest). SQLite
    transactions are serialised already (BEGIN IMMEDIATE)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('srdi.evaluation.snapshots'))")
    versions = {s.id: s.version for s in stds}
    versions.setdefault(size_std.id, size_std.version)
    _keep_rule_texts([*stds, size_std])
    return EvaluationRun.objects.create(
        as_of=day,
        review=review,
        mode=mode,
        standards=[s.id for s in stds],
        versions=versions,
        created_by=_actor(user),
    )


def _finish_run(run: EvaluationRun, enterprises: int, results: int, new: int, one=None) -> None:
    from srdi.audit.services import record

    run.enterprises, run.results, run.new_snapshots = enterprises, results, new
    run.save(update_fields=["enterprises", "results", "new_snapshots"])
    record(
        actor=run.created_by,
        action="evaluation.run",
        obj=run,
        enterprise_uscc=one.uscc if one is not None and enterprises == 1 else "",
        after={
            "as_of": run.as_of,
            "review": run.review,
            "mode": run.mode,
            "versions": run.versions,
            "enterprises": enterprises,
            "results": results,
            "new_snapshots": new,
        },
    )


def _keep_rule_texts(stds) -> None:
    """Store the text of each rule-file version not stored yet (a handful of rows at most)."""
    versions = {s.version: s for s in stds}
    known = set(RuleVersion.objects.filter(pk__in=versions).values_list("pk", flat=True))
    for version, std in versions.items():
        if version in known:
            continue
        text = std.path.read_text(encoding="utf-8")
        if rules.load_file(std.path, text).version != version:
            continue  # the file changed since it was loaded: its text is not this version's
        RuleVersion.objects.get_or_create(
            version=version, defaults={"standard": std.id, "text": text}
        )


# --------------------------------------------------------------------------------------------
# the whole-population mode


@dataclass
class Population:
    """A columnar evaluation of stored enterprises: the registry read, the result frame and,
    when saved, the run."""

    read: object  # srdi.registry.frames.RegistryRead
    res: pl.DataFrame
    stds: list
    run: EvaluationRun | None = None
    timings: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.res.height

    def rows(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The contract's result dicts (enterprise order, standards as asked), with name and
        version, for enterprises ``start:stop``."""
        from srdi.rules.columnar import rows_from_frame

        res = self.res.slice(start, None if stop is None else stop - start)
        names = self.read.names.slice(start, res.height).to_list()
        rows = rows_from_frame(res, self.stds)
        versions = [s.version for s in self.stds]
        k = len(versions)
        for i, r in enumerate(rows):
            r["name"] = names[i // k]
            r["version"] = versions[i % k]
        return rows

    def counts(self) -> dict[str, dict[str, int]]:
        """Outcome counts per standard."""
        out = {}
        for std in self.stds:
            col = self.res[std.id + ":outcome"].value_counts()
            out[std.id] = dict(zip(col[:, 0].to_list(), col[:, 1].to_list(), strict=True))
        return out


def evaluate_population(
    queryset,
    stds: list,
    day: dt.date,
    review: bool = False,
    *,
    user=None,
    save: bool = True,
    progress: Progress | None = None,
    meanwhile: Callable[[Population], object] | None = None,
) -> Population:
    """Read (column-wise), evaluate (columnar) and save the enterprises of ``queryset``.

    ``meanwhile(population)`` (work that needs no database, e.g. building the result list) runs
    while PostgreSQL ingests the records, on the other core; otherwise after the save.
    """
    from srdi.registry.frames import read_frame
    from srdi.rules.columnar import columns_for, evaluate_frame

    stages = 3 if save else 2
    tick = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    size_std = rules.load_standard(rules.SIZE_STANDARD)
    t = time.perf_counter()
    read = read_frame(queryset, columns_for(stds, size_std), day.year, documents=save)
    timings["read"] = time.perf_counter() - t
    tick(_("读取企业数据"), 1, stages)
    t = time.perf_counter()
    res = evaluate_frame(read.frame, stds, day, review, size_std)
    timings["evaluate"] = time.perf_counter() - t
    tick(_("评估"), 2, stages)
    pop = Population(read=read, res=res, stds=stds, timings=timings)
    if save and len(read):
        t = time.perf_counter()
        pop.run = _save_population(queryset, pop, size_std, day, review, user, meanwhile)
        timings["save"] = time.perf_counter() - t
        tick(_("保存"), 3, stages)
    elif meanwhile is not None:
        meanwhile(pop)
    return pop


def _save_population(
    queryset, pop: Population, size_std, day, review, user, meanwhile
) -> EvaluationRun:
    from django.db import connection

    from . import bulk

    read, timings = pop.read, pop.timings
    with transaction.atomic():
        run = _new_run(pop.stds, size_std, day, review, user, EvaluationRun.Mode.SUMMARY)
        t = time.perf_counter()
        snap_ids, new = _store_snapshots(queryset, read)
        timings["save_snapshots"] = time.perf_counter() - t
        t = time.perf_counter()
        records = _record_frame(run.pk, read.ids, snap_ids, pop.res, pop.stds)
        table = EvaluationRecord._meta.db_table
        if meanwhile is not None and connection.vendor == "postgresql":
            # The COPY waits on the server (another process, the other core) most of the time.
            # It runs in a thread on this connection's own psycopg cursor (in this
            # transaction), which nothing else uses until the thread is joined.
            done: dict = {}
            cursor = connection.cursor()

            def copy() -> None:
                try:
                    done["n"] = bulk.copy_in(cursor.cursor, table, records)
                except BaseException as exc:  # noqa: BLE001 - re-raised below
                    done["error"] = exc
                done["t"] = time.perf_counter() - t

            worker = threading.Thread(target=copy, name="evaluation-copy")
            worker.start()
            try:
                meanwhile(pop)
            finally:
                worker.join()
                cursor.close()
            if "error" in done:
                raise done["error"]
            n = done["n"]
            timings["save_records"] = done["t"]
        else:
            n = bulk.insert(table, records)
            timings["save_records"] = time.perf_counter() - t
            if meanwhile is not None:
                meanwhile(pop)
        one = None
        if len(read) == 1:
            from srdi.registry.models import Enterprise

            one = Enterprise.objects.get(pk=read.ids[0])
        _finish_run(run, len(read), n, new, one)
    return run


def _store_snapshots(queryset, read) -> tuple[pl.Series, int]:
    """The snapshot id of each row (stored documents reused by content hash); new ones written."""
    from srdi.registry.frames import read_sql, scope_sql

    from . import bulk

    table = InputSnapshot._meta.db_table
    cur = pl.DataFrame(
        {"enterprise_id": read.ids, "digest": read.digests()},
        schema={"enterprise_id": pl.Int64, "digest": pl.Utf8},
    )
    scope = scope_sql(queryset)
    where, params = (
        ("", []) if scope is None else (f" WHERE enterprise_id IN ({scope[0]})", scope[1])
    )
    stored = read_sql(
        f"SELECT enterprise_id, digest, id FROM {table}{where}",
        list(params),
        {"enterprise_id": pl.Int64, "digest": pl.Utf8, "id": pl.Int64},
    )
    cur = cur.join(stored, on=["enterprise_id", "digest"], how="left", maintain_order="left")
    missing = cur["id"].is_null()
    n_new = int(missing.sum())
    if n_new:
        new_ids = pl.Series("id", bulk.next_ids(table, n_new), dtype=pl.Int64)
        idx = missing.arg_true()
        ids = cur["id"].scatter(idx, new_ids)
        from django.db import connection

        now = timezone.now()
        stamp = (
            now.isoformat()
            if connection.vendor == "postgresql"
            else str(connection.ops.adapt_datetimefield_value(now))
        )
        new = pl.DataFrame(
            {
                "id": new_ids,
                "enterprise_id": cur["enterprise_id"].gather(idx),
                "digest": cur["digest"].gather(idx),
                "document": read.documents.gather(idx),
            }
        ).with_columns(created_at=pl.lit(stamp))
        bulk.insert(table, new)
    else:
        ids = cur["id"]
    return ids, n_new


def _display_number(v):
    """The display value of a score (as rows_from_frame gives it)."""
    if v is None:
        return None
    v = round(float(v), 9)
    return int(v) if v.is_integer() else v


_MARK = "\ue000"


def _rounded(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(display value, JSON number text marked for unquoting) of a float column, computed once
    per distinct value."""
    uniq = [v for v in s.unique().to_list() if v is not None]
    shown = {v: _display_number(v) for v in uniq}
    value = s.replace_strict(
        {k: float(v) for k, v in shown.items()}, default=None, return_dtype=pl.Float64
    )
    text = s.replace_strict(
        {k: f"{_MARK}{v!r}{_MARK}" for k, v in shown.items()}, default=None, return_dtype=pl.Utf8
    )
    return value, text


def _record_frame(
    run_id: int, ids: pl.Series, snaps: pl.Series, res: pl.DataFrame, stds
) -> pl.DataFrame:
    """One row per enterprise × standard (enterprise order, then standards as asked)."""
    n = res.height
    parts = []
    for k, std in enumerate(stds):
        p = std.id + ":"
        score = pl.Series("score", [None] * n, dtype=pl.Float64)
        if std.kind == "size":
            size = pl.col(p + "size_class").alias("size_class")
            result = res.select(pl.struct(size).struct.json_encode()).to_series()
        elif std.scored:
            score, _text = _rounded(res[p + "score"])
            dims = [_rounded(res[p + "dim:" + d.name])[1].alias(d.name) for d in std.dimensions]
            encoded = pl.DataFrame(
                {"route": res[p + "route"], "dimensions": pl.DataFrame(dims).to_struct()}
            ).select(pl.struct("route", "dimensions").struct.json_encode())
            result = encoded.to_series().str.replace_all(f'"{_MARK}([^"{_MARK}]*){_MARK}"', "${1}")
        else:
            result = pl.Series([None] * n, dtype=pl.Utf8).fill_null("{}")
        parts.append(
            pl.DataFrame(
                {
                    "run_id": pl.Series([run_id] * n, dtype=pl.Int64),
                    "enterprise_id": ids,
                    "snapshot_id": snaps,
                    "standard": pl.Series([std.id] * n, dtype=pl.Utf8),
                    "version": pl.Series([std.version] * n, dtype=pl.Utf8),
                    "outcome": res[p + "outcome"],
                    "score": score.alias("score"),
                    "result": result.alias("result"),
                    "_row": pl.Series(range(n), dtype=pl.Int64),
                    "_k": pl.Series([k] * n, dtype=pl.Int64),
                }
            )
        )
    return pl.concat(parts).sort("_row", "_k").drop("_row", "_k")


# --------------------------------------------------------------------------------------------
# reading stored results


def latest_results(enterprise) -> list[EvaluationRecord]:
    """The newest stored record per standard of one enterprise (newest first)."""
    newest = (
        EvaluationRecord.objects.filter(enterprise=enterprise)
        .order_by()
        .values("standard")
        .annotate(last=Max("id"))
        .values("last")
    )
    return list(
        EvaluationRecord.objects.filter(pk__in=newest)
        .select_related("run", "run__created_by")
        .order_by("-run_id", "-id")
    )


_rule_cache: dict[str, object] = {}


def standard_at(version: str):
    """The standard of a stored rule version: the loaded file when it is still that version,
    else the stored text of that version (KeyError when neither is available)."""
    sid = version.partition("#")[0]
    try:
        current = rules.load_standard(sid)
    except KeyError:
        current = None
    if current is not None and current.version == version:
        return current
    if version not in _rule_cache:
        rv = RuleVersion.objects.filter(pk=version).first()
        if rv is None:
            raise KeyError(_("找不到规则版本“%(v)s”的规则文件内容") % {"v": version})
        _rule_cache[version] = rules.load_file(Path(f"{sid}.yaml"), rv.text)
    return _rule_cache[version]


def reproduce(record: EvaluationRecord, *, explain: bool = True) -> dict:
    """Evaluate a stored record again: its snapshot, its rule version, its date and review
    (with the size standard version of its run). The full result, with gaps and trace."""
    run = record.run
    std = standard_at(record.version)
    size_version = run.versions.get(rules.SIZE_STANDARD)
    size_std = standard_at(size_version) if size_version else None
    profile = rules.normalise(record.snapshot.profile)
    if size_std is None or size_std is rules.load_standard(rules.SIZE_STANDARD):
        return _clean(rules.evaluate_with(std, profile, run.as_of, run.review, explain=explain))
    from srdi.rules.engine import evaluate_profile

    return evaluate_profile(std, profile, run.as_of, run.review, explain, size_std)
