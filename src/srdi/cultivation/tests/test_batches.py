import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from srdi.audit.models import AuditLog
from srdi.cultivation import services
from srdi.cultivation.models import TitleBatch, TitleEvent
from srdi.registry.models import Title

D = dt.date


def upload(user, content, mode=TitleBatch.Mode.ALL_OR_NOTHING, **kw):
    args = dict(
        content=content,
        filename="公告.xlsx",
        name="2025年度第二批",
        tier="srdi_sme",
        level="provincial",
        granted=D(2025, 12, 12),
        mode=mode,
    )
    args.update(kw)
    return services.record_batch(user, **args)


def test_names_and_usccs_matched_titles_created(users, enterprises, xlsx):
    a, b = enterprises
    content = xlsx([["序号", "企业名称", "统一社会信用代码"], [1, a.name, ""], [2, "", b.uscc]])
    res = upload(users["admin"], content)
    batch = res.batch
    assert batch.status == TitleBatch.Status.APPLIED
    assert (batch.total, batch.matched, batch.created) == (2, 2, 2)
    t = Title.objects.get(enterprise=a, tier="srdi_sme")
    assert t.granted == D(2025, 12, 12)
    assert t.valid_until == D(2028, 12, 11)
    assert t.batch == "2025年度第二批"
    assert TitleEvent.objects.filter(title=t, kind="granted", batch=batch).exists()
    assert AuditLog.objects.filter(action="title.create", enterprise_uscc=a.uscc).exists()
    assert AuditLog.objects.filter(action="batch.upload").exists()
    assert batch.file.read() == content  # original kept


def test_unmatched_name_rejects_whole_batch_and_reports(users, enterprises, xlsx):
    a, _ = enterprises
    content = xlsx([["企业名称"], [a.name], ["常熟市精工轴承有限责任公司"], ["不存在的公司"]])
    res = upload(users["admin"], content)
    b = res.batch
    assert b.status == TitleBatch.Status.REJECTED
    assert Title.objects.count() == 0
    rows = {p["row"]: p for p in b.unmatched}
    assert set(rows) == {3, 4}
    assert "没有该名称" in rows[3]["reason"]
    assert a.name in rows[3]["suggestions"]  # a near name is suggested for correction
    assert b.file.name  # kept even when rejected


def test_partial_mode_records_matched_rows(users, enterprises, xlsx):
    a, _ = enterprises
    res = upload(users["admin"], xlsx([["企业名称"], [a.name], ["不存在的公司"]]), mode="partial")
    assert res.batch.status == TitleBatch.Status.PARTIAL
    assert res.batch.created == 1
    assert Title.objects.filter(enterprise=a).count() == 1


def test_fullwidth_brackets_and_spaces_match(users, enterprises, xlsx):
    a, _ = enterprises
    a.name = "常熟市精工（轴承）有限公司"
    a.save()
    res = upload(users["admin"], xlsx([["企业名称"], ["常熟市精工(轴承) 有限公司"]]))
    assert res.batch.created == 1


def test_list_without_header_and_bad_uscc(users, enterprises, xlsx):
    a, b = enterprises
    bad = b.uscc[:-1] + ("0" if b.uscc[-1] != "0" else "1")
    res = upload(users["admin"], xlsx([[a.uscc], [bad]]))
    assert res.batch.status == TitleBatch.Status.REJECTED
    # a bad check character is read as a name and reported
    assert res.batch.unmatched[0]["row"] == 2


def test_uscc_with_wrong_name_is_reported(users, enterprises, xlsx):
    a, b = enterprises
    res = upload(users["admin"], xlsx([["统一社会信用代码", "企业名称"], [a.uscc, b.name]]))
    assert res.batch.status == TitleBatch.Status.REJECTED
    assert "名称与企业库不一致" in res.batch.unmatched[0]["reason"]


def test_duplicate_rows_and_rerun_do_not_duplicate_titles(users, enterprises, xlsx):
    a, _ = enterprises
    content = xlsx([["企业名称"], [a.name]])
    upload(users["admin"], content)
    res = upload(users["admin"], content)
    assert res.batch.already == 1 and res.batch.created == 0
    assert Title.objects.filter(enterprise=a).count() == 1
    res = upload(users["admin"], xlsx([["企业名称"], [a.name], [a.name]]), mode="partial")
    assert any(p["reason"] == "名单中重复出现" for p in res.batch.unmatched)


@pytest.mark.parametrize(
    "role", ["region_officer", "department", "commissioner", "enterprise", "partner"]
)
def test_only_the_bureau_records_batches(users, enterprises, xlsx, role):
    with pytest.raises(PermissionDenied):
        upload(users[role], xlsx([["企业名称"], [enterprises[0].name]]))
    assert TitleBatch.objects.count() == 0


def test_empty_or_unreadable_file_is_a_clear_error(users, xlsx):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="没有企业"):
        upload(users["admin"], xlsx([["企业名称"]]))
    with pytest.raises(ValidationError, match="无法读取"):
        upload(users["admin"], b"not a spreadsheet")


def test_upload_page_and_report(users, enterprises, xlsx, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = login(users["admin"])
    f = SimpleUploadedFile("list.xlsx", xlsx([["企业名称"], [enterprises[0].name], ["查无此企业"]]))
    r = c.post(
        "/cultivation/batches/",
        {
            "file": f,
            "name": "第七批",
            "tier": "little_giant",
            "level": "national",
            "granted": "2025-10-24",
            "mode": "all",
        },
    )
    assert r.status_code == 302
    page = c.get(r["Location"])
    text = page.content.decode()
    assert "查无此企业" in text and "未入库" in text
    assert Title.objects.count() == 0
    # officers can see batches but not upload
    c2 = login(users["region_officer"])
    assert c2.get("/cultivation/batches/").status_code == 200
    assert c2.post("/cultivation/batches/", {}).status_code == 403


def test_cli_title_batch(users, enterprises, xlsx, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    p = tmp_path / "list.xlsx"
    p.write_bytes(xlsx([["企业名称"], [enterprises[0].name], ["查无此企业"]]))
    with pytest.raises(CommandError, match="未录入"):
        call_command(
            "title_batch",
            str(p),
            name="b",
            tier="srdi_sme",
            level="provincial",
            granted="2025-01-01",
            user="gxj",
        )
    call_command(
        "title_batch",
        str(p),
        name="b",
        tier="srdi_sme",
        level="provincial",
        granted="2025-01-01",
        user="gxj",
        partial=True,
    )
    assert Title.objects.count() == 1
