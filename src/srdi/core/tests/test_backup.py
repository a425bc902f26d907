"""Issue 10 item 10: backup and restore of the whole platform (runs on SQLite and PostgreSQL:
the suite runs on both).

The round trip fills every kind of record the platform keeps (demo enterprises, users and
tokens, published policies with their matches and pushes, audit records, an import with its
kept original file, a job result file), backs it up, empties the database to the state of a
fresh `srdi migrate`, restores, and compares every table's row count and content digest.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from srdi.core import backup

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def platform_state(media, users):
    """A little of everything the platform stores."""
    from srdi.accounts.models import ApiToken
    from srdi.core.models import Job
    from srdi.core.notifications import notify
    from srdi.registry.services import import_profiles

    call_command("demo", enterprises=12, seed=3, verbosity=0)
    call_command("policycatalogue", publish=True, verbosity=0)
    ApiToken.issue(users["admin"], "etl")
    notify([users["enterprise"]], kind="policy_match", title="新的政策匹配", dedupe_key="t:1")
    profile = {"uscc": "91320581MA1MX0YH4C", "name": "常熟市备份测试有限公司", "region": "梅李镇"}
    path = media / "incoming.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([profile], ensure_ascii=False), encoding="utf-8")
    import_profiles(str(path), actor=users["admin"], original_name="导入.json")
    path.unlink()
    job = Job.objects.create(kind="export", title="导出", created_by=users["admin"], status="done")
    job.result_file.save("结果.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"))
    return media


def empty_database() -> None:
    """The database as a fresh `srdi migrate` leaves it (content types, permissions)."""
    tables = [m._meta.db_table for m in backup.backup_models()]
    connection.check_constraints()  # PostgreSQL: run the deferred checks before TRUNCATE
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    )
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


def test_round_trip_gives_every_table_back_row_for_row(platform_state, tmp_path):
    from srdi.audit.models import AuditLog
    from srdi.core.models import Notification
    from srdi.policies.models import PolicyMatch
    from srdi.registry.models import ImportBatch

    before = backup.database_digest()
    files_before = {rel: p.read_bytes() for rel, p in backup.media_files()}
    # every kind of record is really there
    for model in (AuditLog, Notification, PolicyMatch, ImportBatch):
        assert before[model._meta.label_lower]["rows"] > 0, model
    assert len(files_before) >= 2  # the kept import original and the job result

    archive = tmp_path / "backup.zip"
    call_command("backup", output=str(archive), verbosity=0)
    manifest = backup.check(archive)
    assert {
        k: {"rows": v["rows"], "sha256": v["sha256"]} for k, v in manifest["tables"].items()
    } == before

    empty_database()
    for _rel, p in list(backup.media_files()):
        p.unlink()
    assert backup.database_digest() != before
    mail.outbox.clear()

    call_command("restore", str(archive), verbosity=0)

    after = backup.database_digest()
    assert after == before  # every table: the same rows, the same content
    assert {rel: p.read_bytes() for rel, p in backup.media_files()} == files_before
    assert mail.outbox == []  # no e-mail (no push) on restore


def test_every_model_of_every_installed_app_is_backed_up():
    labels = {m._meta.label_lower for m in backup.backup_models()}
    expected = {
        m._meta.label_lower
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    assert labels == expected
    assert {"accounts.user", "accounts.apitoken", "audit.auditlog", "registry.datashare"} <= labels


def test_restore_refuses_a_database_in_use(platform_state, tmp_path):
    archive = tmp_path / "b.zip"
    backup.backup(archive)
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(archive))
    assert exc.value.returncode == 2 and "不是空库" in str(exc.value)


def test_check_finds_a_tampered_or_truncated_archive(platform_state, tmp_path):
    archive = tmp_path / "b.zip"
    backup.backup(archive)
    call_command("backup", check=str(archive), verbosity=0)
    # change one row of the users table, keep everything else
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "data/accounts.user.jsonl":
                data = data.replace(b'"gxj"', b'"gxx"')
            dst.writestr(item, data)
    with pytest.raises(CommandError) as exc:
        call_command("backup", check=str(tampered))
    assert exc.value.returncode == 2 and "accounts.user" in str(exc.value)
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError) as exc:
        call_command("backup", check=str(truncated))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        call_command("backup", check=str(tmp_path / "missing.zip"))
    assert "不存在" in str(exc.value)


def test_restore_refuses_another_schema_version(platform_state, tmp_path):
    archive = tmp_path / "b.zip"
    backup.backup(archive)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(other, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"]["accounts"].append("9999_from_the_future")
                data = json.dumps(manifest).encode()
            dst.writestr(item, data)
    empty_database()
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(other))
    assert "结构版本不同" in str(exc.value) and "9999_from_the_future" in str(exc.value)
