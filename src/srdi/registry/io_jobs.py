"""Running an uploaded import as a background job, with live progress.

The import writes in one transaction (all-or-nothing), so progress written to the database
would only become visible at the end on SQLite; it is kept in a small side file instead
(``<MEDIA_ROOT>/imports/progress/<batch>.json``) that the report page polls.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from srdi.core import jobs

from .models import ImportBatch


def progress_path(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{batch_id}.json"


def write_progress(batch_id: int, processed: int, total: int | None) -> None:
    path = progress_path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"processed": processed, "total": total}), encoding="utf-8")
    os.replace(tmp, path)


def read_progress(batch_id: int) -> dict:
    try:
        return json.loads(progress_path(batch_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run(batch_id: int, job_id: int | None, user_id: int | None) -> ImportBatch:
    from django.contrib.auth import get_user_model

    from srdi.core.notifications import notify

    from .services import import_profiles

    batch = ImportBatch.objects.get(pk=batch_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if job_id:
        jobs.start(job_id)
    try:
        batch = import_profiles(
            None,
            actor=user,
            batch=batch,
            progress=lambda done, total: write_progress(batch_id, done, total),
        )
    except Exception as exc:
        if job_id:
            jobs.fail(job_id, f"导入出错：{exc}")
        raise
    finally:
        progress_path(batch_id).unlink(missing_ok=True)
    summary = summary_zh(batch)
    if job_id:
        jobs.finish(job_id, message=summary)
    if user is not None:
        notify(
            [user],
            kind="import_done",
            title=f"导入完成：{batch.original_name}"
            if batch.status != "rejected"
            else f"导入被拒绝：{batch.original_name}",
            body=summary,
            link=f"/io/imports/{batch.pk}/",
            dedupe_key=f"import:{batch.pk}",
            category="数据导入",
        )
    return batch


def summary_zh(batch: ImportBatch) -> str:
    if batch.status == ImportBatch.Status.REJECTED:
        return (
            f"共 {batch.total} 条记录，发现 {len(batch.problems)} 个问题（涉及 {batch.rejected} 条记录），"
            "按“全部无误才导入”规则未导入任何数据。"
        )
    return (
        f"共 {batch.total} 条：新增 {batch.created}，更新 {batch.updated}，"
        f"未变化 {batch.unchanged}，拒绝 {batch.rejected}。"
    )
