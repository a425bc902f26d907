import pytest

from srdi.core import notifications
from srdi.core.models import Notification

pytestmark = pytest.mark.django_db


def test_same_dedupe_key_is_delivered_once_per_user(users):
    u = users["enterprise"]
    first = notifications.notify(
        [u], kind="policy_match", title="新匹配政策", dedupe_key="policy:1:ent:1"
    )
    again = notifications.notify(
        [u, u], kind="policy_match", title="新匹配政策", dedupe_key="policy:1:ent:1"
    )
    assert len(first) == 1 and again == []
    assert Notification.objects.filter(user=u).count() == 1


def test_email_sent_once_and_recorded(users, mailoutbox):
    u = users["enterprise"]
    u.email = "qiye@example.com"
    u.save()
    notifications.notify([u], kind="k", title="标题", body="正文", dedupe_key="x", email=True)
    notifications.notify([u], kind="k", title="标题", body="正文", dedupe_key="x", email=True)
    assert len(mailoutbox) == 1
    assert "标题" in mailoutbox[0].subject
    assert Notification.objects.get(user=u).emailed_at is not None


def test_inbox_shows_only_own_messages_and_marks_read(client, users):
    mine = notifications.notify([users["enterprise"]], kind="k", title="我的消息", link="/inbox/")[
        0
    ]
    other = notifications.notify([users["admin"]], kind="k", title="别人的消息")[0]
    client.force_login(users["enterprise"])
    page = client.get("/inbox/").content.decode()
    assert "我的消息" in page and "别人的消息" not in page
    assert client.get(f"/inbox/{other.pk}/").status_code == 404
    client.get(f"/inbox/{mine.pk}/")
    mine.refresh_from_db()
    assert mine.read_at is not None
