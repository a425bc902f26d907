"""Screenshots of each role's home page (README 用户指南), from a running demo (`make run`).

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]

Logs in with the demo accounts of var/demo_logins.txt (written by `srdi demo_users`) in Debian's
chromium (Playwright) and saves <account>.png of the home page (full page, 1280 px wide).
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ACCOUNTS = ["admin", "kjj", "region", "commissioner", "enterprise", "bank", "university"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--logins", default=str(ROOT / "var" / "demo_logins.txt"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    logins = {}
    for line in Path(args.logins).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            logins[parts[0]] = parts[1]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        for name in ACCOUNTS:
            if name not in logins:
                continue
            ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(f"{args.base}/accounts/login/")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", logins[name])
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{args.base}/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"home-{name}.png"), full_page=True)
            print(out / f"home-{name}.png")
            ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
