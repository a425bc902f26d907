"""On the demo data: the chain page shows a chain's gaps, and a gap lists candidate enterprises;
every chains page answers for every role; the demo step is idempotent."""

import pytest
from django.core.management import call_command


def _chains_demo(seed=3):
    import random

    from django.utils import timezone

    from srdi.chains.demo import chains_demo
    from srdi.core import demo

    ctx = demo.Context(seed=seed, rng=random.Random(f"{seed}:chains"), today=timezone.localdate())
    return chains_demo(ctx)


@pytest.fixture
def demo_db(db, users):
    """The registry's demo enterprises (80) and the chains demo step (as ``srdi demo`` runs it)."""
    from srdi.chains import selectors
    from srdi.registry.demo import build_demo

    call_command("loadref", verbosity=0)
    build_demo(80, 3)
    _chains_demo()
    return selectors.coverage()


def test_chain_page_shows_gaps_and_a_gap_lists_candidates(demo_db, users, as_user):
    from srdi.chains import selectors
    from srdi.chains.models import Chain, Node

    admin = users["admin"]
    row = next(r for r in demo_db["chains"] if r["gaps"])
    html = as_user(admin).get(f"/chains/{row['id']}/").content.decode()
    for gap in row["gaps"]:
        assert gap in html
    assert "断点" in html and 'id="chain-map"' in html
    # a gap with candidates: its page lists them with their reasons
    found = None
    for c in Chain.objects.all():
        for gid in selectors.chain_coverage(c, selectors.timezone.localdate())["gap_ids"]:
            cands = selectors.candidates(admin, Node.objects.get(pk=gid))
            if cands:
                found = (gid, cands)
                break
        if found:
            break
    assert found, "演示数据中应有带候选企业的断点"
    html = as_user(admin).get(f"/chains/nodes/{found[0]}/").content.decode()
    assert "候选企业" in html and found[1][0]["enterprise"].name in html


def test_demo_is_idempotent_and_fills_every_page(demo_db, users, as_user):
    from srdi.chains.models import FeaturedCluster, Leader, Placement, SupplierNeed, SupplyLink

    counts = [
        m.objects.count() for m in (Placement, Leader, SupplyLink, SupplierNeed, FeaturedCluster)
    ]
    assert all(counts), counts
    _chains_demo()
    assert counts == [
        m.objects.count() for m in (Placement, Leader, SupplyLink, SupplierNeed, FeaturedCluster)
    ]
    leader = Leader.objects.first()
    need = SupplierNeed.objects.first()
    cluster = FeaturedCluster.objects.first()
    pages = ["/chains/", "/chains/clusters/", f"/chains/clusters/{cluster.pk}/", "/chains/leaders/"]
    official = pages + ["/chains/placements/?status=suggested", "/chains/niche/", "/chains/leads/",
                        f"/chains/leaders/{leader.pk}/", f"/chains/needs/{need.pk}/"]  # fmt: skip
    for role in ("admin", "department", "region_officer", "commissioner"):
        c = as_user(users[role])
        for url in official:
            r = c.get(url)
            assert r.status_code == 200, (role, url)
            assert "产业链" in r.content.decode() or "集群" in r.content.decode()
    for role in ("enterprise", "partner"):
        c = as_user(users[role])
        for url in pages:
            assert c.get(url).status_code == 200, (role, url)
        assert c.get("/chains/niche/").status_code == 403
    assert (
        as_user(users["admin"])
        .get("/chains/?format=xlsx")["Content-Type"]
        .startswith("application/vnd.openxmlformats")
    )
    # home panels (srdi.core.workspace): the officer's coverage panel
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from srdi.core import workspace

    req = RequestFactory().get("/")
    req.user = users["region_officer"]
    panel = next(p for p in workspace.panels_for(req) if p["key"] == "chains_coverage")
    html = render_to_string(panel["template"], panel["context"])
    assert f"{demo_db['covered']} / {demo_db['nodes']}" in html
    assert [m.key for m in workspace.menu_for(users["partner"]) if m.key == "chains"] == ["chains"]
