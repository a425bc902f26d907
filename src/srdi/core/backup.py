"""Backup and restore of the whole platform state: every table of every installed app, and the
stored files (uploaded originals, job results, everything under MEDIA_ROOT).

One archive (zip, ZIP64) holds::

    manifest.json                 format, version, when, database, applied migrations,
                                  per table: model, rows, sha256 of its rows; per file: size, sha256
    data/<app_label>.<model>.jsonl one JSON array per row (the model's concrete columns, by pk)
    media/<path>                  the stored files

Generic: the tables are those of ``django.apps.apps.get_models(include_auto_created=True)`` —
an app added later is backed up and restored without a change here.

Restore writes the rows with plain INSERTs in one transaction: no model is instantiated or
saved, so no signal fires (no re-matching, no pushes, no e-mail), timestamps stay as they were,
and the restored database has exactly the rows, row counts and content of the backup (checked
against the manifest before the transaction commits). It runs only on an empty database (no user
account: freshly migrated, reference data may be loaded) of the same schema version.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "srdi-backup"
VERSION = 1
CHUNK = 2000


class BackupError(Exception):
    """A problem with an archive or a target database, in Chinese for the user."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


# ---------------------------------------------------------------- tables and their rows


def backup_models() -> list[type[models.Model]]:
    """Every concrete, managed model whose table exists, once per table (stable order)."""
    existing = set(connection.introspection.table_names())
    seen: set[str] = set()
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if meta.db_table in seen or meta.db_table not in existing:
            continue
        seen.add(meta.db_table)
        out.append(model)
    return sorted(out, key=lambda m: m._meta.label_lower)


def _fields(model) -> list[models.Field]:
    """The columns of the model's own table that hold data (not database-generated ones)."""
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def encode(value):
    """A database value as JSON (decoded again by the field's ``to_python``)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict | list):
        return value  # a JSONField's value
    return str(value)


def _line(row) -> bytes:
    return (
        json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode("utf-8")


def table_lines(model) -> Iterator[bytes]:
    """The rows of `model`'s table as archive lines, ordered by primary key."""
    fields = _fields(model)
    qs = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
    for row in qs.iterator(chunk_size=CHUNK):
        yield _line([encode(v) for v in row])


def table_digest(model) -> tuple[int, str]:
    """(rows, sha256 of the rows' lines) of `model`'s table as it is in the database now."""
    h = hashlib.sha256()
    n = 0
    for line in table_lines(model):
        h.update(line)
        n += 1
    return n, h.hexdigest()


def database_digest() -> dict[str, dict]:
    return {
        m._meta.label_lower: dict(zip(("rows", "sha256"), table_digest(m), strict=True))
        for m in backup_models()
    }


def applied_migrations() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


# ---------------------------------------------------------------- stored files


def media_files(root: Path | None = None) -> Iterator[tuple[str, Path]]:
    root = Path(root or settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------- backup


@dataclass
class Summary:
    tables: dict[str, dict] = field(default_factory=dict)
    media: dict[str, dict] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())

    @property
    def media_bytes(self) -> int:
        return sum(m["size"] for m in self.media.values())


def backup(path: str | Path, progress: Callable[[str], None] | None = None) -> Summary:
    """Write the archive of the whole platform to `path` (written next to it, then renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".srdi-backup-", suffix=".zip", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    summary = Summary()
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            outer = connection.in_atomic_block
            with transaction.atomic():
                if connection.vendor == "postgresql" and not outer:
                    with connection.cursor() as cur:  # one consistent snapshot of every table
                        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                migrations = applied_migrations()
                for model in backup_models():
                    label = model._meta.label_lower
                    h = hashlib.sha256()
                    n = 0
                    with zf.open(f"data/{label}.jsonl", "w", force_zip64=True) as out:
                        for line in table_lines(model):
                            out.write(line)
                            h.update(line)
                            n += 1
                    summary.tables[label] = {
                        "table": model._meta.db_table,
                        "rows": n,
                        "sha256": h.hexdigest(),
                        "fields": [f.attname for f in _fields(model)],
                    }
                    if progress:
                        progress(label)
            for rel, file in media_files():
                h = hashlib.sha256()
                size = 0
                with open(file, "rb") as src, zf.open(f"media/{rel}", "w", force_zip64=True) as out:
                    for block in iter(lambda src=src: src.read(1 << 20), b""):
                        out.write(block)
                        h.update(block)
                        size += len(block)
                summary.media[rel] = {"size": size, "sha256": h.hexdigest()}
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": migrations,
                "tables": summary.tables,
                "media": summary.media,
            }
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        tmp.chmod(0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return summary


# ---------------------------------------------------------------- check


def _open(path: str | Path) -> zipfile.ZipFile:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"不是有效的平台备份文件（无法作为 zip 读取）：{path}") from exc


def read_manifest(zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except KeyError as exc:
        raise BackupError("备份文件缺少清单 manifest.json，可能不完整。") from exc
    except ValueError as exc:
        raise BackupError("备份清单 manifest.json 已损坏。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("不是本平台的备份文件。")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"备份格式版本 {manifest.get('version')} 不受支持（本程序为 {VERSION}）。"
        )
    return manifest


def _safe_member(rel: str) -> str:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise BackupError(f"备份中的文件路径不安全：{rel}")
    return p.as_posix()


def check(path: str | Path) -> dict:
    """Verify an archive completely: every table's rows and digest, every file's digest.
    Returns the manifest; raises BackupError listing every problem found."""
    with _open(path) as zf:
        manifest = read_manifest(zf)
        problems = []
        names = set(zf.namelist())
        for label, meta in manifest["tables"].items():
            member = f"data/{label}.jsonl"
            if member not in names:
                problems.append(f"缺少数据表 {label}")
                continue
            h = hashlib.sha256()
            n = 0
            try:
                with zf.open(member) as f:
                    for line in f:
                        json.loads(line)
                        h.update(line)
                        n += 1
            except (zipfile.BadZipFile, ValueError, OSError) as exc:
                problems.append(f"数据表 {label} 已损坏：{exc.__class__.__name__}")
                continue
            if n != meta["rows"]:
                problems.append(f"数据表 {label}：清单为 {meta['rows']} 行，文件中为 {n} 行")
            elif h.hexdigest() != meta["sha256"]:
                problems.append(f"数据表 {label}：内容校验值不符")
        for rel, meta in manifest["media"].items():
            try:
                member = "media/" + _safe_member(rel)
            except BackupError as exc:
                problems.append(str(exc))
                continue
            if member not in names:
                problems.append(f"缺少文件 {rel}")
                continue
            h = hashlib.sha256()
            try:
                with zf.open(member) as f:
                    for block in iter(lambda f=f: f.read(1 << 20), b""):
                        h.update(block)
            except (zipfile.BadZipFile, OSError) as exc:
                problems.append(f"文件 {rel} 已损坏：{exc.__class__.__name__}")
                continue
            if h.hexdigest() != meta["sha256"]:
                problems.append(f"文件 {rel}：内容校验值不符")
        if problems:
            raise BackupError(f"备份文件校验未通过（{len(problems)} 个问题）。", problems)
        return manifest


# ---------------------------------------------------------------- restore


def schema_differences(manifest: dict) -> list[str]:
    here = applied_migrations()
    there = manifest.get("migrations", {})
    out = []
    for app in sorted(set(here) | set(there)):
        a, b = set(here.get(app, [])), set(there.get(app, []))
        if a != b:
            only_backup = sorted(b - a)
            only_here = sorted(a - b)
            detail = []
            if only_backup:
                detail.append("备份中多出 " + "、".join(only_backup))
            if only_here:
                detail.append("本库多出 " + "、".join(only_here))
            out.append(f"{app}：" + "；".join(detail))
    return out


def require_empty() -> None:
    from django.contrib.auth import get_user_model

    n = get_user_model()._base_manager.count()
    if n:
        raise BackupError(
            f"目标数据库不是空库（已有 {n} 个用户账户）。恢复只能在新建并完成 srdi migrate 的空数据库上进行，"
            "以免覆盖现有数据。"
        )


def _insert_sql(model, fields) -> str:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({marks})"


def _decode_row(fields, row):
    return [
        None if v is None else f.get_db_prep_save(f.to_python(v), connection)
        for f, v in zip(fields, row, strict=True)
    ]


def restore(path: str | Path, progress: Callable[[str], None] | None = None) -> Summary:
    """Restore an archive into this (empty) database and MEDIA_ROOT."""
    manifest = check(path)
    differences = schema_differences(manifest)
    if differences:
        raise BackupError(
            "备份与本程序的数据库结构版本不同：请用与备份相同版本的程序恢复，再运行 srdi migrate 升级。",
            differences,
        )
    require_empty()
    by_label = {m._meta.label_lower: m for m in backup_models()}
    missing = sorted(set(manifest["tables"]) - set(by_label))
    if missing:
        raise BackupError("本程序中没有备份里的这些数据表。", missing)
    media_root = Path(settings.MEDIA_ROOT)
    for rel, meta in manifest["media"].items():
        target = media_root / _safe_member(rel)
        if target.exists() and _sha256_file(target) != meta["sha256"]:
            raise BackupError(f"存储目录中已有同名而内容不同的文件，未恢复：{rel}")
    summary = Summary()
    written: list[Path] = []
    with _open(path) as zf:
        try:
            for rel in manifest["media"]:
                target = media_root / _safe_member(rel)
                if target.exists():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{target.name}.restoring")
                with zf.open("media/" + rel) as src, open(tmp, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                os.replace(tmp, target)
                written.append(target)
            summary.media = dict(manifest["media"])
            with transaction.atomic():
                _load_tables(zf, manifest, by_label, summary, progress)
        except BaseException:
            for target in written:
                target.unlink(missing_ok=True)
            raise
    return summary


def _load_tables(zf, manifest, by_label, summary, progress) -> None:
    all_models = list(by_label.values())
    tables = [m._meta.db_table for m in all_models]
    # the rows migrate and loadref put in (content types, permissions, reference data) go:
    # the backup's own rows, with their own keys, replace them
    connection.check_constraints()  # PostgreSQL: no deferred checks pending before TRUNCATE
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    with connection.cursor() as cur:
        for label, meta in manifest["tables"].items():
            model = by_label[label]
            fields_by_attname = {f.attname: f for f in _fields(model)}
            unknown = [a for a in meta["fields"] if a not in fields_by_attname]
            if unknown:
                raise BackupError(f"数据表 {label} 的字段与本程序不同：{'、'.join(unknown)}")
            fields = [fields_by_attname[a] for a in meta["fields"]]
            sql = _insert_sql(model, fields)
            batch = []
            with zf.open(f"data/{label}.jsonl") as f:
                for line in f:
                    batch.append(_decode_row(fields, json.loads(line)))
                    if len(batch) >= CHUNK:
                        cur.executemany(sql, batch)
                        batch = []
            if batch:
                cur.executemany(sql, batch)
            if progress:
                progress(label)
        reset = connection.ops.sequence_reset_sql(no_style(), all_models)
        for statement in reset:
            cur.execute(statement)
    connection.check_constraints()  # every foreign key of the restored rows resolves
    # the restored tables must be the backup's, row for row
    problems = []
    for label, meta in manifest["tables"].items():
        n, digest = table_digest(by_label[label])
        summary.tables[label] = {"rows": n, "sha256": digest}
        if n != meta["rows"] or digest != meta["sha256"]:
            problems.append(f"{label}：备份 {meta['rows']} 行，恢复后 {n} 行")
    if problems:
        raise BackupError("恢复后的数据与备份不一致，已撤销。", problems)
