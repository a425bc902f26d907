"""Issue 11 item 1: the audit log reads in Chinese (action codes and before/after values)."""

from srdi.audit.models import AuditLog, action_label, value_text


def test_action_codes_read_as_chinese():
    assert action_label("policy.application.review") == "审核申报"
    assert action_label("registry.ip.recompute") == "重算知识产权汇总"
    assert action_label("services.request.close") == "其他操作"  # never the code itself
    assert action_label("policy.something_new") == "惠企政策操作"


def test_before_after_values_read_as_chinese():
    assert value_text({"muted": ["资金奖补"]}) == "不接收推送的类别：资金奖补"
    assert (
        value_text(None) == "空"
        and value_text(True) == "是"
        and value_text(12345.678) == "12,345.68"
    )
    log = AuditLog(
        action="update",
        object_type="registry.enterprise",
        before={"name": "甲", "ip_class1": 3},
        after={"name": "乙", "ip_class1": None},
    )
    rows = log.changes()
    assert ("企业名称", "甲", "乙") in rows
    text = " ".join(" ".join(r) for r in rows)
    assert "ip_class1" not in text and "None" not in text and "{" not in text
