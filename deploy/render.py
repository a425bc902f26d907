#!/usr/bin/env python3
"""Render the production recipe's templates (``@@KEY@@`` placeholders) with site values.

    python3 deploy/render.py --values deploy/example.env -o /tmp/srdi-deploy

Every template under deploy/ (systemd/, nginx/, postgresql/, redis/, logrotate/, srdi.env) is
written to the same relative path under the output directory. A placeholder without a value, or
a value never used, stops the rendering (exit 2) with the name: nothing half-filled is written.
Standard library only: it runs on a bare server before the platform is installed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE_DIRS = ("systemd", "nginx", "postgresql", "redis", "logrotate")
EXTRA = ("srdi.env.template",)
PLACEHOLDER = re.compile(r"@@([A-Z0-9_]+)@@")


def read_values(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise SystemExit(f"{path}:{n}: 应为 KEY=value")
        k, v = line.split("=", 1)
        values[k.strip()] = v.strip()
    return values


def templates() -> list[Path]:
    out = [p for d in TEMPLATE_DIRS for p in sorted((HERE / d).iterdir()) if p.is_file()]
    return out + [HERE / e for e in EXTRA]


def render(values: dict[str, str]) -> dict[str, str]:
    """Relative output path → rendered text (raises SystemExit on a missing/unused value)."""
    used: set[str] = set()
    missing: set[str] = set()
    out: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in values:
            missing.add(key)
            return m.group(0)
        used.add(key)
        return values[key]

    for t in templates():
        rel = t.relative_to(HERE).as_posix().removesuffix(".template")
        out[rel] = PLACEHOLDER.sub(sub, t.read_text(encoding="utf-8"))
    if missing:
        raise SystemExit("缺少取值：" + "、".join(sorted(missing)))
    unused = set(values) - used
    if unused:
        raise SystemExit("未使用的取值（拼写错误？）：" + "、".join(sorted(unused)))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description="生成部署配置文件（systemd、nginx、PostgreSQL、Redis、logrotate）"
    )
    ap.add_argument("--values", required=True, type=Path, help="取值文件（KEY=value）")
    ap.add_argument("-o", "--output", required=True, type=Path, help="输出目录")
    a = ap.parse_args(argv)
    files = render(read_values(a.values))
    for rel, text in files.items():
        p = a.output / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    sys.stdout.write(f"已生成 {len(files)} 个文件：{a.output}\n")


if __name__ == "__main__":
    main()
