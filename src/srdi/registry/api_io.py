"""JSON API for import / export (/api/io): the same services and scope checks as the pages."""

from __future__ import annotations

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from .models import ImportBatch
from .services import EXPORT_FORMATS, ImportRefused, batch_report, import_profiles, may_import
from .views_io import export_response

router = Router()


class ProblemOut(Schema):
    file: str | None = None
    record: int | None = None
    row: int | None = None
    sheet: str | None = None
    uscc: str | None = None
    field: str | None = None
    message: str
    text: str | None = None


class BatchOut(Schema):
    id: int
    file: str
    format: str
    department: str
    mode: str
    status: str
    status_display: str
    uploaded_at: str
    finished_at: str | None
    total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    problems: list[ProblemOut]
    has_rejected_file: bool


class ErrorOut(Schema):
    detail: str


def _user(request):
    return request.auth if hasattr(request.auth, "role") else request.user


@router.post(
    "/import",
    response={200: BatchOut, 400: BatchOut, 403: ErrorOut, 413: ErrorOut},
    summary="导入企业画像文件（JSON / JSON Lines / xlsx）",
    description=(
        "multipart 上传 `file`；`mode` 为 `all`（默认，有任何问题则不导入并返回 400 与全部问题）"
        "或 `partial`（导入有效记录）；`department` 为数据提供部门。返回导入批次报告。"
    ),
)
def import_file(
    request,
    file: File[UploadedFile],
    department: Form[str] = "",
    mode: Form[str] = "all",
):
    user = _user(request)
    if not may_import(user):
        return Status(403, {"detail": "仅市工信局、部门用户和板块工作人员可以导入企业数据。"})
    if mode not in ImportBatch.Mode.values:
        return Status(400, _bad_mode(mode))
    from srdi.exchange import limits

    if file.size > (cap := limits.current().upload_bytes):
        return Status(413, {"detail": f"文件过大（上限 {limits.mb(cap)}），未导入。"})
    try:
        batch = import_profiles(
            file, actor=user, department=department, mode=mode, original_name=file.name
        )
    except ImportRefused as exc:
        return Status(403, {"detail": str(exc)})
    report = batch_report(batch)
    return Status(400 if batch.status == ImportBatch.Status.REJECTED else 200, report)


def _bad_mode(mode):
    from django.utils import timezone

    msg = f"导入方式“{mode}”无效，应为 all 或 partial"
    return {
        "id": 0,
        "file": "",
        "format": "",
        "department": "",
        "mode": str(mode),
        "status": "rejected",
        "status_display": "已拒绝",
        "uploaded_at": timezone.now().isoformat(),
        "finished_at": None,
        "total": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "problems": [{"field": "mode", "message": msg, "text": msg}],
        "has_rejected_file": False,
    }


@router.get(
    "/export",
    summary="导出企业画像（仅限当前用户有权查看的企业）",
    description="`format`：json（默认）、jsonl 或 xlsx；可用 `region` 限定板块（可重复）。",
)
def export(request, format: str = "json", region: list[str] | None = None):
    if format not in EXPORT_FORMATS:
        from ninja.errors import HttpError

        raise HttpError(400, f"未知导出格式“{format}”（可用：json、jsonl、xlsx）")
    return export_response(_user(request), format, [r for r in (region or []) if r])


@router.get(
    "/imports/{batch_id}",
    response={200: BatchOut, 403: ErrorOut},
    summary="导入批次报告",
)
def import_report(request, batch_id: int):
    user = _user(request)
    from srdi.core import access

    batch = access.get(user, ImportBatch, pk=batch_id)
    return Status(200, batch_report(batch))
