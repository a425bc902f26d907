"""The plan's targets (二(三)): new 产学研 projects and 科技副总 per year, from records."""

import datetime as dt

from srdi.core import measures
from srdi.innovation import services


def test_projects_and_tech_vps_counted_by_year(inno, users):
    kjj = users["department"]
    a = inno["public"].enterprise
    for day in ("2025-03-01", "2025-11-30", "2026-01-05"):
        services.save_project(
            kjj, a, {"title": f"项目{day}", "institution": "南京大学", "signed_on": day}
        )
    services.save_tech_vp(
        kjj, a, {"person": "王教授", "institution": "苏州大学", "term_start": "2025-05-01"}
    )
    m = measures.measure("innovation.projects_new", dt.date(2025, 12, 31), None)
    assert m.actual == 2 and m.year == 2025
    assert measures.measure("innovation.projects_new", dt.date(2026, 6, 30), None).actual == 1
    cum = measures.measure(
        "innovation.projects_new", dt.date(2026, 6, 30), None, {"since": "2023-01-01"}
    )
    assert cum.actual == 3
    assert measures.measure("innovation.tech_vps", dt.date(2025, 12, 31), None).actual == 1
    assert measures.measure("innovation.tech_vps", dt.date(2025, 4, 30), None).actual == 0


def test_demo_step_is_idempotent(db, enterprises):
    import random

    from srdi.core import demo
    from srdi.innovation.demo import innovation_demo
    from srdi.innovation.models import Challenge, Match, Need, Project, TechVP

    ctx = demo.Context(seed=1, rng=random.Random(1), today=dt.date(2026, 11, 1))
    innovation_demo(ctx)
    counts = [M.objects.count() for M in (Need, Match, Project, TechVP, Challenge)]
    states = set(Match.objects.values_list("state", flat=True))
    assert states >= {"recommended", "docking", "signed", "researching", "concluded", "closed"}
    from srdi.innovation.models import Capability

    caps = list(Capability.objects.filter(is_synthetic=True))
    assert caps and all(len(c.scenarios.splitlines()) >= 3 for c in caps)
    assert any("应用场景“" in r for m in Match.objects.all() for r in m.reasons)
    ctx = demo.Context(seed=1, rng=random.Random(1), today=dt.date(2026, 11, 1))
    innovation_demo(ctx)
    assert [M.objects.count() for M in (Need, Match, Project, TechVP, Challenge)] == counts
