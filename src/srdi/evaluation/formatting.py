"""Readable Chinese tables for the CLI."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _


def outcome_zh(outcome: str | None) -> str:
    return {
        "eligible": _("符合"),
        "ineligible": _("不符合"),
        "undetermined": _("待定（数据不全）"),
    }.get(outcome or "", "—")


def size_zh(size: str | None) -> str:
    return {"large": _("大型"), "medium": _("中型"), "small": _("小型"), "micro": _("微型")}.get(
        size or "", ""
    )


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, w: int) -> str:
    return text + " " * (w - width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([line, sep, *body])


def results_table(doc: dict, names: dict[str, str] | None = None) -> str:
    names = names or {}
    headers = [_("企业"), _("统一社会信用代码"), _("认定标准"), _("结论"), _("得分"), _("说明")]
    rows = []
    for r in doc["results"]:
        note = []
        if r.get("size_class"):
            note.append(_("规模：") + size_zh(r["size_class"]))
        if r.get("route") == "direct":
            note.append(_("直通"))
        if r.get("missing"):
            note.append(
                _("缺少：") + "、".join(r["missing"][:3]) + ("…" if len(r["missing"]) > 3 else "")
            )
        if r.get("score") is not None and r["outcome"] != "eligible":
            short = [
                d
                for d, v in (r.get("dimension_minimums") or {}).items()
                if (r.get("dimensions") or {}).get(d, 0) < v
            ]
            if short:
                note.append(_("维度未达最低分：") + "、".join(short))
        failed = [
            c["label"]
            for c in r.get("conditions", [])
            if c.get("met") is False and c.get("role") == "required"
        ]
        if failed:
            note.append(
                _("未满足：")
                + failed[0]
                + (_("等%(n)d项") % {"n": len(failed)} if len(failed) > 1 else "")
            )
        score = r.get("score")
        rows.append(
            [
                r.get("name") or names.get(r.get("uscc") or "", "") or "",
                r.get("uscc") or "",
                r["standard"],
                outcome_zh(r["outcome"]),
                ""
                if score is None
                else f"{score}/{r.get('pass_score')}"
                if r.get("pass_score")
                else str(score),
                "；".join(note),
            ]
        )
    head = _("评估日期：%(d)s%(r)s") % {
        "d": doc["as_of"],
        "r": _("（复核）") if doc.get("review") else "",
    }
    return head + "\n" + table(headers, rows)
