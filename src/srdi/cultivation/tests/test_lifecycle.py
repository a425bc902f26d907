import datetime as dt
import re
from types import SimpleNamespace

from srdi.cultivation import lifecycle

D = dt.date


def title(granted=D(2023, 7, 1), valid_until=D(2026, 6, 30), status="valid", revoked_at=None):
    return SimpleNamespace(
        granted=granted, valid_until=valid_until, status=status, revoked_at=revoked_at
    )


def test_valid_until_is_day_before_third_anniversary():
    assert lifecycle.valid_until("srdi_sme", D(2023, 7, 1)) == D(2026, 6, 30)
    assert lifecycle.valid_until("little_giant", D(2024, 1, 1)) == D(2026, 12, 31)


def test_valid_until_from_29_february():
    assert lifecycle.valid_until("innovative_sme", D(2024, 2, 29)) == D(2027, 2, 27)


def test_status_on_edge_dates():
    t = title()
    assert lifecycle.status_on(t, D(2023, 6, 30)) == ""  # before granted
    assert lifecycle.status_on(t, D(2023, 7, 1)) == lifecycle.VALID  # granted day
    assert lifecycle.status_on(t, D(2026, 6, 30)) == lifecycle.VALID  # last day
    assert lifecycle.status_on(t, D(2026, 7, 1)) == lifecycle.EXPIRED  # day after
    assert lifecycle.holds_on(t, D(2026, 6, 30)) is True
    assert lifecycle.holds_on(t, D(2026, 7, 1)) is False


def test_revoked_from_revocation_date_on():
    t = title(status="revoked", revoked_at=D(2025, 3, 1))
    assert lifecycle.status_on(t, D(2025, 2, 28)) == lifecycle.VALID
    assert lifecycle.status_on(t, D(2025, 3, 1)) == lifecycle.REVOKED
    assert lifecycle.holds_on(t, D(2025, 3, 1)) is False


def test_under_review_counts_while_in_date_only():
    t = title(status="under_review")
    assert lifecycle.status_on(t, D(2026, 5, 1)) == lifecycle.UNDER_REVIEW
    assert lifecycle.holds_on(t, D(2026, 6, 30)) is True
    assert lifecycle.holds_on(t, D(2026, 7, 1)) is False


def test_open_dates_are_open():
    t = title(granted=None, valid_until=None)
    assert lifecycle.holds_on(t, D(2000, 1, 1)) is True


def test_expiring_window_six_months():
    t = title()
    assert lifecycle.expiring_within(t, D(2025, 12, 30)) is True  # 2026-06-30 = +6 months
    assert lifecycle.expiring_within(t, D(2025, 12, 29)) is False
    assert lifecycle.expiring_within(t, D(2026, 7, 1)) is False  # already expired


def test_review_standard_by_date():
    assert (
        lifecycle.review_standard("little_giant", D(2026, 9, 1))["standard"] == "little-giant@2022"
    )
    assert (
        lifecycle.review_standard("little_giant", D(2027, 3, 1))["standard"] == "little-giant@2026"
    )
    assert lifecycle.review_standard("srdi_sme", D(2026, 3, 31))["standard"] == "srdi-sme@2022"
    assert lifecycle.review_standard("srdi_sme", D(2026, 4, 1))["standard"] == "srdi-sme@2026"
    assert lifecycle.review_standard("little_giant", D(2020, 1, 1)) is None


def test_update_deadline_and_revocation_reasons():
    assert lifecycle.update_deadline("little_giant", 2026) == D(2026, 5, 31)
    codes = {r["code"] for r in lifecycle.revocation_reasons()}
    assert {"major_incident", "data_fraud", "failed_review", "serious_dishonesty"} <= codes
    assert "数据造假" in lifecycle.revocation_label("data_fraud")


def test_every_rule_cites_a_source_and_status():
    r = lifecycle.rules()
    for tier, rules in r["review_standards"].items():
        for rule in rules:
            assert rule["status"] in {"verified", "partial", "unverified"}, tier
            assert rule["source"] in r["sources"], tier
    for reason in r["revocation_reasons"]:
        assert reason["source"] in r["sources"]


def test_review_check_thresholds_match_the_rules_core_files():
    """Each monitoring threshold is the one written in the named standard's rule file."""
    from srdi.rules.standard import STANDARDS_DIR

    pattern = {
        "debt_ratio": r"debt_ratio\s*<=\s*{t}\b",
        "main_share": r"main_share\s*>=\s*{t}\b",
        "rd_intensity": r"rd_intensity\w*\s*>=\s*{t}\b",
        "rd_expense": r"rd_expense\s*>=\s*{t}\b",
    }
    checked = 0
    for std_id, checks in lifecycle.rules()["monitoring"]["review_checks"].items():
        text = (STANDARDS_DIR / f"{std_id}.yaml").read_text(encoding="utf-8")
        for c in checks:
            rx = pattern[c["measure"]].format(t=c["threshold"])
            assert re.search(rx, text), (std_id, c["id"], rx)
            checked += 1
    assert checked >= 8
