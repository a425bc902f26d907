"""No lost update: versions for records that several people edit (issue 10, item 6).

A record's *version* is a digest of what the user sees of it (its exchange-format document, a
policy's spec …): any change by anyone changes the version, and no migration or counter is needed.

API (django-ninja or plain views)::

    from srdi.core import concurrency

    doc = build_profile(e)
    resp = _json(doc); resp["ETag"] = concurrency.etag(doc)            # GET
    stale = concurrency.if_match_refused(request, build_profile(e))    # PATCH, before the write
    if stale: return stale                                             # 412 with the current ETag

Inside the service, under the row lock, pass the version the client saw and let the service
refuse a stale write (``concurrency.require_version(expected, current_doc)`` raises
:class:`StaleEdit`), so that two writers racing past the view's check cannot both win.

Web forms: put ``concurrency.stamp(doc)`` in a hidden field named ``_version`` (the template tag
is ``{{ version_stamp }}``); on POST, ``concurrency.stale_changes(request.POST, current_doc)``
gives ``None`` (fresh) or the list of what changed meanwhile, and
``concurrency.stale_message(changes, label=...)`` the Chinese message that shows it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.http import HttpResponse, JsonResponse

FIELD = "_version"
_SALT = "srdi.core.concurrency"


class StaleEdit(Exception):  # noqa: N818 - the domain word
    """The record changed since the user read it; nothing was saved."""

    def __init__(self, current_version: str, message: str = ""):
        super().__init__(message or "该记录已被他人修改，未保存。请刷新后重试。")
        self.current_version = current_version


def _canonical(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def version(doc: Any) -> str:
    """The version of a document: 20 hex digits of its SHA-256 (canonical JSON)."""
    return hashlib.sha256(_canonical(doc)).hexdigest()[:20]


def etag(doc: Any) -> str:
    return f'"{version(doc)}"'


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()]


def require_version(expected: str | None, current_doc: Any) -> None:
    """Raise :class:`StaleEdit` if ``expected`` (a version or ETag) is given and is not the
    current document's version. ``None`` or ``"*"`` accepts any version."""
    if not expected or expected.strip() == "*":
        return
    current = version(current_doc)
    if current not in _tags(expected):
        raise StaleEdit(current)


def if_match_refused(request, current_doc: Any) -> HttpResponse | None:
    """A 412 response when the request's ``If-Match`` names another version (else None)."""
    header = request.headers.get("If-Match")
    try:
        require_version(header, current_doc)
    except StaleEdit as exc:
        resp = JsonResponse(
            {
                "detail": "该记录在您读取之后已被他人修改，未保存；请重新读取（GET）后再提交。",
                "current_version": exc.current_version,
            },
            status=412,
            json_dumps_params={"ensure_ascii": False},
        )
        resp["ETag"] = f'"{exc.current_version}"'
        return resp
    return None


# ------------------------------------------------------------------------------ web forms


def stamp(doc: Any) -> str:
    """A signed token holding the version and the document as the user saw it."""
    packed = zlib.compress(_canonical(doc), 6)
    return signing.dumps({"v": version(doc), "d": packed.hex()}, salt=_SALT, compress=True)


def _unstamp(token: str) -> tuple[str, Any] | None:
    try:
        data = signing.loads(token, salt=_SALT)
        return data["v"], json.loads(zlib.decompress(bytes.fromhex(data["d"])))
    except (signing.BadSignature, KeyError, ValueError, TypeError, zlib.error):
        return None


def stamped_version(post) -> str | None:
    """The version a form's stamp names (for the service's check under the lock), or None."""
    token = post.get(FIELD) if hasattr(post, "get") else None
    seen = _unstamp(token) if token else None
    return seen[0] if seen else None


def _flat(doc: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        for k, v in doc.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: doc}


def stale_changes(post, current_doc: Any) -> list[tuple[str, Any, Any]] | None:
    """None when the form's stamp is the current version (or the form carries no stamp: old
    clients); else ``[(path, value the user saw, value now)]`` (possibly empty if the stamp
    cannot be read)."""
    token = post.get(FIELD) if hasattr(post, "get") else None
    if not token:
        return None
    seen = _unstamp(token)
    current = _canonical(current_doc)
    if seen is None:
        return []
    seen_version, seen_doc = seen
    if seen_version == version(current_doc):
        return None
    before, now = _flat(seen_doc), _flat(json.loads(current))
    return [
        (path, before.get(path), now.get(path))
        for path in sorted(set(before) | set(now))
        if before.get(path) != now.get(path)
    ]


def _shown(v) -> str:
    if v is None or v == "" or v == []:
        return "（空）"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return f"{len(v)}项"
    return str(v)


def stale_message(
    changes: list[tuple[str, Any, Any]], label: Callable[[str], str] = str, limit: int = 12
) -> str:
    """The Chinese message for a refused stale save, listing what changed meanwhile."""
    head = "未保存：在您打开此页面之后，其他用户修改了这条记录。"
    if not changes:
        return head + "请刷新页面，核对最新内容后重新填写。"
    items = [f"{label(p)}：{_shown(a)} → {_shown(b)}" for p, a, b in changes[:limit]]
    more = f"等{len(changes)}处" if len(changes) > limit else ""
    return (
        head
        + "期间的变化："
        + "；".join(items)
        + more
        + "。下面的表单仍是您填写的内容；请核对后再次保存（将以您的内容为准）。"
    )
