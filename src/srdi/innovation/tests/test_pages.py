"""Every innovation page renders for the roles that use it (Chinese, no 500)."""

import pytest
from django.template.loader import render_to_string

PAGES = ["/innovation/", "/innovation/needs/", "/innovation/needs/?format=xlsx", "/innovation/matches/",
         "/innovation/capabilities/", "/innovation/teams/", "/innovation/projects/", "/innovation/tech-vps/",
         "/innovation/challenges/", "/innovation/patents/"]  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "department", "enterprise", "commissioner", "partner"])
def test_pages_render(inno, users, client, role):
    client.force_login(users[role])
    for url in PAGES:
        assert client.get(url).status_code in (200, 302), url


def test_university_pages_and_home_panels(inno, client, rf):
    from srdi.core import workspace

    client.force_login(inno["u1"])
    for url in PAGES + [f"/innovation/teams/{inno['t1'].pk}/", f"/innovation/capabilities/{inno['c1'].pk}/edit/",
                        "/innovation/teams/new/", f"/innovation/teams/{inno['t1'].pk}/capabilities/new/"]:  # fmt: skip
        assert client.get(url).status_code == 200, url
    req = rf.get("/")
    req.user = inno["u1"]
    panels = workspace.panels_for(req)
    p = next(p for p in panels if p["key"] == "innovation_university")
    html = render_to_string(p["template"], p["context"])
    assert "压铸" in html and "进行中" in html
    assert any(m.key == "innovation" for m in workspace.menu_for(inno["u1"]))
