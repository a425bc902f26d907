"""揭榜挂帅: the 科技局 publishes, teams apply, selection with a reason, milestones, acceptance."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srdi.innovation import services
from srdi.innovation.models import Application, Challenge


def test_challenge_lifecycle(inno, users, as_user, bearer):
    kjj, u1, u2 = users["department"], inno["u1"], inno["u2"]
    with pytest.raises(ValidationError):
        services.create_challenge(kjj, {"title": "榜单"}, [inno["named"].pk])
    with pytest.raises(PermissionDenied):
        services.create_challenge(u1, {"title": "榜单"}, [inno["public"].pk])
    c = services.create_challenge(kjj, {"title": "2026年揭榜挂帅榜单", "year": "2026"},
                                  [inno["public"].pk, inno["partners"].pk], {str(inno["public"].pk): "200"})  # fmt: skip
    assert as_user(u1).get(f"/innovation/challenges/{c.pk}/").status_code == 404  # draft
    services.publish_challenge(kjj, c)
    assert c.status == Challenge.Status.PUBLISHED
    page = as_user(users["partner"]).get("/innovation/challenges/").content.decode()
    assert "2026年揭榜挂帅榜单" in page  # the public list for partners
    item = c.items.get(need=inno["public"])
    r = bearer(u2).post(f"/api/innovation/challenges/items/{item.pk}/apply",
                        {"team": inno["t1"].pk, "proposal": "x"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 404  # another institution's team
    a = services.apply_for(u1, item, inno["t1"], {"proposal": "真空压铸中试", "amount": "150"})
    with pytest.raises(ValidationError):
        services.apply_for(u1, item, inno["t1"], {"proposal": "again"})
    with pytest.raises(PermissionDenied):
        services.decide(u1, a, True, "自己选自己")
    with pytest.raises(ValidationError):
        services.decide(kjj, a, True, "")
    services.decide(kjj, a, True, "技术路线成熟")
    ms = services.add_milestone(kjj, a, {"title": "小试", "due_on": "2026-09-30", "tranche": "50"})
    with pytest.raises(ValidationError):
        services.accept_application(kjj, a, "验收")
    services.complete_milestone(kjj, ms, "2026-09-20", "2026-09-25")
    services.accept_application(kjj, a, "通过验收")
    a.refresh_from_db()
    assert a.status == Application.Status.ACCEPTED and a.decision_reason == "技术路线成熟"
    assert as_user(users["enterprise"]).get(f"/innovation/challenges/{c.pk}/").status_code == 200
