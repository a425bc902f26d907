"""Shared reading of PROFILES | --from-db for the policy commands."""

from __future__ import annotations

import sys

from django.core.management.base import CommandError


def add_source_args(parser) -> None:
    parser.add_argument(
        "profiles", nargs="?", help="企业画像文件（JSON / JSON Lines / xlsx；- 为标准输入）"
    )
    parser.add_argument("--from-db", action="store_true", help="使用平台数据库中的全部企业")
    parser.add_argument(
        "--format",
        choices=["json", "table"],
        default="table",
        help="输出格式：json（机器可读）或 table（中文表格）",
    )


def read_source(options, stderr) -> list:
    """Normalised rules profiles from the file or the database; exit 2 on unusable input."""
    from srdi.policies import conditions as C

    if bool(options.get("profiles")) == bool(options.get("from_db")):
        raise CommandError("请指定一个画像文件，或使用 --from-db（二者选一）")
    if options.get("from_db"):
        from srdi.policies.selectors import profiles_of
        from srdi.registry.models import Enterprise

        _ents, profs = profiles_of(Enterprise.objects.all())
        return profs
    from srdi.exchange import ProfileErrors
    from srdi.exchange.readers import read_profiles

    src = options["profiles"]
    try:
        raw = read_profiles(sys.stdin.buffer if src == "-" else src)
    except ProfileErrors as exc:
        for p in exc.problems:
            stderr.write(p.format_zh())
        sys.exit(2)
    except OSError as exc:
        stderr.write(f"无法读取文件 {src}：{exc}")
        sys.exit(2)
    try:
        return [C.normalise(p) for p in raw]
    except C.ProfileValueError as exc:
        stderr.write(f"{exc.path}：{exc.message}")
        sys.exit(2)
