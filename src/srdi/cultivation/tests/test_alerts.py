import datetime as dt

import pytest

from srdi.core.models import Notification
from srdi.cultivation import services
from srdi.cultivation.models import Alert, TitleEvent
from srdi.registry.models import AnnualFigures, Title

D = dt.date


def notices(user=None, kind="cultivation_alert"):
    qs = Notification.objects.filter(kind=kind)
    return qs.filter(user=user) if user else qs


def test_expiring_title_alerts_officer_and_commissioner_once(users, enterprises, make_title):
    a, b = enterprises
    make_title(a, "srdi_sme", granted=D(2023, 7, 1))  # valid until 2026-06-30
    make_title(b, "srdi_sme", granted=D(2024, 7, 1))  # valid until 2027-06-30
    c = services.scan_alerts(D(2026, 1, 15))
    assert c["expiring"] == 1
    alert = Alert.objects.get(kind="expiring")
    assert alert.enterprise == a and alert.region == a.region
    assert set(notices().values_list("user__username", flat=True)) == {"meili", "zhuanyuan"}
    # a second scan (next day) neither duplicates the alert nor the notice
    c = services.scan_alerts(D(2026, 1, 16))
    assert c["expiring"] == 0
    assert Alert.objects.filter(kind="expiring").count() == 1
    assert notices().count() == 2


def test_expiry_edge_of_six_month_window(users, enterprises, make_title):
    a, _ = enterprises
    make_title(a, "srdi_sme", granted=D(2023, 7, 1))  # last day 2026-06-30
    services.scan_alerts(D(2025, 12, 29))
    assert not Alert.objects.filter(kind="expiring").exists()
    services.scan_alerts(D(2025, 12, 30))
    assert Alert.objects.filter(kind="expiring").exists()


def test_not_updated_only_after_deadline(users, enterprises, make_title):
    a, b = enterprises
    make_title(a, "little_giant", level="national", granted=D(2025, 1, 1))
    AnnualFigures.objects.filter(enterprise=a).delete()
    services.scan_alerts(D(2026, 5, 31))  # deadline day: not late yet
    assert not Alert.objects.filter(kind="not_updated").exists()
    services.scan_alerts(D(2026, 6, 1))
    alert = Alert.objects.get(kind="not_updated")
    assert alert.enterprise == a and alert.detail["year"] == 2025
    # updating the data resolves it on the next scan
    AnnualFigures.objects.create(enterprise=a, year=2025, revenue=12000)
    services.scan_alerts(D(2026, 6, 2))
    alert.refresh_from_db()
    assert alert.resolved_on == D(2026, 6, 2)


def test_review_risk_debt_ratio_over_the_limit(users, enterprises, make_title):
    a, _ = enterprises
    make_title(a, "srdi_sme", granted=D(2024, 7, 1))  # review in 2027 → srdi-sme@2026
    AnnualFigures.objects.create(
        enterprise=a,
        year=2025,
        revenue=10000,
        main_revenue=9500,
        total_assets=1000,
        total_liabilities=801,
        rd_expense=400,
    )
    AnnualFigures.objects.filter(enterprise=a, year=2024).update(rd_expense=400)
    services.scan_alerts(D(2026, 7, 1))
    risks = list(Alert.objects.filter(kind="review_risk"))
    assert [r.detail["check"] for r in risks] == ["debt_ratio"]
    assert "80" in risks[0].message and risks[0].detail["standard"] == "srdi-sme@2026"


def test_debt_ratio_exactly_on_limit_is_not_a_risk(users, enterprises, make_title):
    a, _ = enterprises
    make_title(a, "srdi_sme", granted=D(2024, 7, 1))
    AnnualFigures.objects.create(
        enterprise=a,
        year=2025,
        revenue=10000,
        main_revenue=9500,
        total_assets=1000,
        total_liabilities=800,
        rd_expense=400,
    )
    AnnualFigures.objects.filter(enterprise=a, year=2024).update(rd_expense=400)
    services.scan_alerts(D(2026, 7, 1))
    assert not Alert.objects.filter(kind="review_risk").exists()


def test_rd_intensity_under_three_percent(users, enterprises, make_title):
    a, _ = enterprises
    make_title(a, "srdi_sme", granted=D(2024, 7, 1))
    AnnualFigures.objects.create(
        enterprise=a,
        year=2025,
        revenue=10000,
        main_revenue=9500,
        total_assets=1000,
        total_liabilities=100,
        rd_expense=299,
    )
    services.scan_alerts(D(2026, 7, 1))
    assert {r.detail["check"] for r in Alert.objects.filter(kind="review_risk")} == {"rd_intensity"}


def test_alerts_scoped_officer_of_other_region_gets_nothing(
    users, enterprises, make_title, make_user, regions
):
    from srdi.accounts.roles import Role

    other = make_user("haiyu", Role.REGION_OFFICER, region=regions[1])
    make_title(enterprises[0], "srdi_sme", granted=D(2023, 7, 1))
    services.scan_alerts(D(2026, 3, 1))
    assert notices(other).count() == 0
    assert notices(users["region_officer"]).count() == 1


def test_digest_once_per_day_with_email(users, enterprises, make_title, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    users["region_officer"].email = "meili@example.com"
    users["region_officer"].save()
    make_title(enterprises[0], "srdi_sme", granted=D(2023, 7, 1))
    day = D(2026, 3, 1)
    services.scan_alerts(day)
    assert services.digest(day) >= 2  # admin, 板块 officer, commissioner
    d = notices(users["region_officer"], "cultivation_digest").get()
    assert "即将到期" in d.title and enterprises[0].name in d.body
    assert any("meili@example.com" in m.to for m in mail.outbox)
    assert services.digest(day) == 0
    assert notices(users["region_officer"], "cultivation_digest").count() == 1


def test_expire_due_marks_and_records_event(users, enterprises, make_title):
    t = make_title(enterprises[0], "srdi_sme", granted=D(2023, 7, 1))
    assert services.expire_due(D(2026, 6, 30)) == 0
    assert services.expire_due(D(2026, 7, 1)) == 1
    t.refresh_from_db()
    assert t.status == Title.Status.EXPIRED
    assert TitleEvent.objects.get(title=t, kind="expired").on == D(2026, 7, 1)


def test_revoke_review_renew(users, enterprises, make_title):
    from django.core.exceptions import PermissionDenied, ValidationError

    t = make_title(enterprises[0], "little_giant", level="national", granted=D(2023, 7, 1))
    services.start_review(users["admin"], t, D(2026, 3, 1))
    assert t.status == "under_review"
    services.renew(users["admin"], t, D(2026, 6, 1))
    assert t.status == "valid" and t.valid_until == D(2029, 6, 30)
    with pytest.raises(ValidationError):
        services.revoke(users["admin"], t, "no_such_reason")
    with pytest.raises(PermissionDenied):
        services.revoke(users["enterprise"], t, "data_fraud")
    services.revoke(users["admin"], t, "data_fraud", D(2026, 8, 1), "抽查发现")
    assert (
        t.status == "revoked" and "数据造假" in t.revoked_reason and t.revoked_at == D(2026, 8, 1)
    )
    kinds = list(TitleEvent.objects.filter(title=t).values_list("kind", flat=True))
    assert kinds == ["review", "renewed", "revoked"]


def test_alerts_command_and_page(users, enterprises, make_title, login):
    from django.core.management import call_command

    make_title(enterprises[0], "srdi_sme", granted=D(2023, 7, 1))
    make_title(enterprises[1], "srdi_sme", granted=D(2023, 7, 1))
    call_command("alerts", as_of="2026-03-01", digest=True)
    assert Alert.objects.filter(kind="expiring").count() == 2
    c = login(users["region_officer"])
    text = c.get("/cultivation/alerts/").content.decode()
    assert enterprises[0].name in text and enterprises[1].name not in text
    r = c.get("/cultivation/alerts/?export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_alerts_are_assigned_and_closed_with_a_note_from_the_list(
    users, enterprises, make_title, login
):
    """Issue 11 item 8: handling from the list — assign (the assignee is told), close with a
    note (required, audited); a closed alert stays closed on the next scan; out of scope = 404."""
    from srdi.audit.models import AuditLog

    a, b = enterprises
    make_title(a, "srdi_sme", granted=D(2023, 7, 1))
    make_title(b, "srdi_sme", granted=D(2023, 7, 1))
    services.scan_alerts(D(2026, 3, 1))
    alert = Alert.objects.get(enterprise=a, kind="expiring")
    other = Alert.objects.get(enterprise=b, kind="expiring")
    c = login(users["region_officer"])
    page = c.get("/cultivation/alerts/").content.decode()
    assert f"/cultivation/alerts/{alert.pk}/assign/" in page and "未指派" in page
    c.post(f"/cultivation/alerts/{alert.pk}/assign/", {"assignee": users["commissioner"].pk})
    alert.refresh_from_db()
    assert alert.assignee == users["commissioner"]
    assert notices(users["commissioner"], kind="alert_assigned").count() == 1
    # someone who cannot see the enterprise cannot be given it
    c.post(f"/cultivation/alerts/{alert.pk}/assign/", {"assignee": users["enterprise"].pk})
    alert.refresh_from_db()
    assert alert.assignee == users["commissioner"]
    # another 板块's alert: 404
    assert c.post(f"/cultivation/alerts/{other.pk}/close/", {"note": "x"}).status_code == 404
    # closing needs a note
    r = c.post(f"/cultivation/alerts/{alert.pk}/close/", {"note": " "}, follow=True)
    assert "请填写处理说明" in r.content.decode()
    c.post(f"/cultivation/alerts/{alert.pk}/close/", {"note": "已电话提醒企业准备复核材料"})
    alert.refresh_from_db()
    assert alert.closed_by == users["region_officer"] and alert.resolved_on is not None
    assert alert.close_note == "已电话提醒企业准备复核材料"
    assert AuditLog.objects.filter(action="cultivation.alert.close").exists()
    assert enterprises[0].name not in c.get("/cultivation/alerts/").content.decode()
    services.scan_alerts(D(2026, 3, 2))
    alert.refresh_from_db()
    assert alert.closed_at is not None and alert.resolved_on is not None
    # enterprises cannot handle alerts
    assert (
        login(users["enterprise"])
        .post(f"/cultivation/alerts/{alert.pk}/close/", {"note": "x"})
        .status_code
        == 404
    )


def test_industry_chart_shows_names_not_codes(users, enterprises, make_title, login):
    import json
    import re

    from srdi.registry.models import Industry

    Industry.objects.get_or_create(
        code="C34", defaults={"name": "通用设备制造业", "level": "division"}
    )
    make_title(enterprises[0], "srdi_sme", granted=D(2025, 7, 1))
    page = login(users["admin"]).get("/cultivation/").content.decode()
    d = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert "通用设备制造业" in d["industry_names"] and "C34" not in d["industry_names"]
    assert d["industries"][d["industry_names"].index("通用设备制造业")] == "C34"  # drill-down key
