"""Who reviews an application, and what a 申报材料 file may be — both read from data/review.yaml.

* :func:`reviewing_department` — the department (srdi.accounts.roles.Department) that reviews
  applications to a policy, from the keywords of the policy's 发布部门 (routing table as data);
* :func:`reviewers` — the active users of that department (the city's administrators when the
  department has no user yet, so an application never waits unseen);
* :func:`check_upload` — type (extension *and* the file's first bytes) and size limits.
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA = Path(__file__).parent / "data" / "review.yaml"


@lru_cache(maxsize=1)
def config() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}


def reviewing_department(policy) -> str:
    text = f"{policy.department or ''}"
    hits = [
        (text.find(r["keyword"]), r["department"])
        for r in config().get("routing") or []
        if r["keyword"] in text
    ]
    if hits:
        return min(hits)[1]  # the first unit named in 发布部门
    return config().get("default_department") or "gxj"


def department_label(code: str) -> str:
    from srdi.accounts.roles import Department

    try:
        return str(Department(code).label)
    except ValueError:
        return code


def reviewers(policy) -> list:
    from srdi.accounts.models import User
    from srdi.accounts.roles import Role

    dept = reviewing_department(policy)
    users = list(User.objects.filter(is_active=True, role=Role.DEPARTMENT, department=dept))
    if not users:
        users = list(User.objects.filter(is_active=True, role=Role.ADMIN))
    return users


def may_review(user, policy) -> bool:
    """Administrators review everything; a department user the policies routed to it."""
    from srdi.accounts import scopes
    from srdi.accounts.roles import Role

    if scopes.is_admin(user):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == Role.DEPARTMENT
        and user.department == reviewing_department(policy)
    )


# ---------------------------------------------------------------------------------------------
# attachments


def limits() -> dict:
    a = config().get("attachments") or {}
    return {
        "max_bytes": int(a.get("max_size_mb", 10)) * 1024 * 1024,
        "max_size_mb": int(a.get("max_size_mb", 10)),
        "max_files": int(a.get("max_files", 20)),
        "types": dict(a.get("types") or {}),
    }


def _sniff(head: bytes, fh) -> str | None:
    """The file's real type from its first bytes (None when unrecognised)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            fh.seek(0)
            names = zipfile.ZipFile(fh).namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            fh.seek(0)
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
    return None


def check_upload(upload) -> str:
    """The accepted kind of an uploaded file (e.g. ``pdf``); ValidationError in Chinese."""
    lim = limits()
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = lim["types"]
    if ext not in allowed:
        raise ValidationError(
            _("文件“%(n)s”的类型不受支持；可上传：%(t)s。")
            % {"n": name, "t": "、".join(dict.fromkeys(allowed.values()))}
        )
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationError(_("文件“%(n)s”是空文件。") % {"n": name})
    if size > lim["max_bytes"]:
        raise ValidationError(
            _("文件“%(n)s”超过大小上限 %(m)d MB。") % {"n": name, "m": lim["max_size_mb"]}
        )
    upload.seek(0)
    head = upload.read(16)
    real = _sniff(head, upload)
    upload.seek(0)
    same = {"jpeg": "jpg"}
    if real is None or same.get(ext, ext) != real:
        raise ValidationError(
            _("文件“%(n)s”的内容与扩展名不符（不是有效的%(t)s）。") % {"n": name, "t": allowed[ext]}
        )
    return same.get(ext, ext)
