import datetime as dt

from srdi.support import config, services, workdays


def test_filed_on_last_working_day_before_national_day_is_due_after_the_holiday():
    # 2026-09-30 is the last working day before 国庆 (10-01 … 10-07 off)
    assert workdays.is_workday(dt.date(2026, 9, 30))
    assert not workdays.is_workday(dt.date(2026, 10, 5))
    accept, close = services.deadlines(dt.date(2026, 9, 30), "technology")
    assert accept == dt.date(2026, 10, 9)  # 10-08, 10-09
    assert accept > dt.date(2026, 10, 7)
    # 15 working days counts the 调休 Saturday 2026-10-10 as a working day
    assert workdays.is_workday(dt.date(2026, 10, 10))
    assert close == dt.date(2026, 10, 27)


def test_between_counts_working_days_only():
    assert workdays.between(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    assert workdays.between(dt.date(2026, 10, 9), dt.date(2026, 10, 9)) == 0
    assert workdays.between(dt.date(2026, 10, 9), dt.date(2026, 10, 1)) == 0


def test_overrides_from_data_and_fallback_for_unknown_years(monkeypatch):
    # 2027 is not in the library yet: statutory holidays come from data/calendar.yaml
    assert not workdays.verified(dt.date(2027, 1, 1))
    assert not workdays.is_workday(dt.date(2027, 1, 1))  # 元旦, from the data file
    assert workdays.is_workday(dt.date(2027, 3, 3))  # a Wednesday: Monday–Friday fallback
    assert workdays.add(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    day = dt.date(2027, 3, 3)
    monkeypatch.setattr(config, "calendar_overrides",
                        lambda: (frozenset({day}), frozenset({dt.date(2027, 3, 6)})))  # fmt: skip
    workdays.is_workday.cache_clear()
    try:
        assert not workdays.is_workday(day)
        assert workdays.is_workday(dt.date(2027, 3, 6))  # a Saturday made a working day
        assert workdays.add(dt.date(2027, 3, 2), 1) == dt.date(2027, 3, 4)
    finally:
        workdays.is_workday.cache_clear()


def test_deadlines_per_category_come_from_the_routing_table():
    rt = config.route("approval")
    assert rt["close_days"] == 20 and rt["accept_days"] == 2
    assert config.route("technology", "patent_navigation")["department"] == "scjgj"
    assert config.route("technology")["department"] == "kjj"
    assert config.route("funding", "tax")["department"] == "swj"
