import datetime as dt
import io
import json
import random

from django.core.management import call_command

from srdi.core import demo
from srdi.support.demo import support_demo
from srdi.support.models import ServiceRequest, Visit


def test_demo_step_then_assign_covers_every_titled_enterprise(titled):
    ctx = demo.Context(seed=3, rng=random.Random("3:support"), today=dt.date(2026, 12, 1))
    line = support_demo(ctx)
    assert "服务专员" in line
    support_demo(demo.Context(seed=3, rng=random.Random("3:support"), today=dt.date(2026, 12, 1)))
    out = io.StringIO()
    call_command("assign", "--apply", "--format", "json", stdout=out)
    d = json.loads(out.getvalue())
    assert all(e.commissioners.exists() for e in titled)
    assert all(v["assigned"] <= v["capacity"] for v in d["load"].values())
    assert len(d["load"]) >= 50
    n = ServiceRequest.objects.count()
    support_demo(demo.Context(seed=3, rng=random.Random("3:support"), today=dt.date(2026, 12, 1)))
    assert ServiceRequest.objects.count() == n  # idempotent
    if n:
        assert Visit.objects.exists()
