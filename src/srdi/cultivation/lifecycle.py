"""Title lifecycle rules, read from ``data/lifecycle.yaml`` (no dates or thresholds in code).

Pure functions (no database): validity end dates, the status of a title on a date, the standard
that applies to a review, the annual data-update deadline, revocation reasons.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

VALID = "valid"
UNDER_REVIEW = "under_review"
EXPIRED = "expired"
REVOKED = "revoked"
STATUS_LABELS = {VALID: "有效", UNDER_REVIEW: "复核中", EXPIRED: "已到期", REVOKED: "已撤销"}


@functools.cache
def load(name: str) -> dict[str, Any]:
    """A data file of this app (``lifecycle`` or ``targets``), parsed once."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def rules() -> dict[str, Any]:
    return load("lifecycle")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def validity_years(tier: str) -> int:
    v = rules()["validity"]
    return int(v["tiers"].get(tier, {}).get("years", 3))


def valid_until(tier: str, granted: dt.date) -> dt.date:
    """The last day a title granted on `granted` is valid (end rule from the rule file)."""
    end = add_years(granted, validity_years(tier))
    rule = rules()["validity"]["end_rule"]
    if rule == "day_before_anniversary":
        return end - dt.timedelta(days=1)
    if rule == "anniversary":
        return end
    raise ValueError(f"未知的有效期口径：{rule}")


def status_on(title, day: dt.date) -> str:
    """The status of a title (registry.Title or any object with the same fields) on `day`.

    Revoked from its revocation date on; under review while its review is open; expired after
    its last valid day; valid otherwise. Before it was granted it is not valid (returns "").
    """
    revoked_at = getattr(title, "revoked_at", None)
    if title.status == REVOKED and (revoked_at is None or revoked_at <= day):
        return REVOKED
    if title.granted is not None and day < title.granted:
        return ""
    if title.status == UNDER_REVIEW:
        return UNDER_REVIEW
    if title.valid_until is not None and day > title.valid_until:
        return EXPIRED
    return VALID


def holds_on(title, day: dt.date) -> bool:
    """Counts as held on `day`: granted ≤ day ≤ valid until (a missing date is open), not
    revoked by then (the contract's validity rule; a title under review counts while in date)."""
    if status_on(title, day) not in (VALID, UNDER_REVIEW):
        return False
    return title.valid_until is None or day <= title.valid_until


def expiry_months() -> int:
    return int(rules()["monitoring"]["expiry_warning_months"]["value"])


def expiring_within(title, day: dt.date) -> bool:
    """Held on `day` and its last valid day falls within the warning window."""
    return (
        holds_on(title, day)
        and title.valid_until is not None
        and title.valid_until <= add_months(day, expiry_months())
    )


def review_standard(tier: str, day: dt.date) -> dict | None:
    """The rule that names the standard a review of `tier` held on `day` is judged on."""
    for rule in rules()["review_standards"].get(tier, []):
        start = rule.get("from")
        until = rule.get("until")
        if (start is None or start <= day) and (until is None or day <= until):
            return rule
    return None


def update_deadline(tier: str, year: int) -> dt.date:
    """The annual data-update deadline in `year` (for the figures of `year` - 1)."""
    au = rules()["annual_update"]
    d = au["tiers"].get(tier) or au["default"]
    return dt.date(year, int(d["month"]), int(d["day"]))


def update_deadline_rule(tier: str) -> dict:
    au = rules()["annual_update"]
    return au["tiers"].get(tier) or au["default"]


def revocation_reasons() -> list[dict]:
    return list(rules()["revocation_reasons"])


def revocation_label(code: str) -> str:
    for r in revocation_reasons():
        if r["code"] == code:
            return r["label"]
    raise KeyError(code)


def review_checks(standard_id: str) -> list[dict]:
    return list(rules()["monitoring"]["review_checks"].get(standard_id, []))


def pool_rules() -> dict:
    return rules()["pool"]


def ladder() -> list[str]:
    return list(rules()["pool"]["tiers"])


def higher_tiers(tier: str) -> list[str]:
    lad = ladder()
    return lad[lad.index(tier) + 1 :] if tier in lad else lad
