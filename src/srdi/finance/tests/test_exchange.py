"""Exchange with the 苏州市综合金融服务平台 (export consented data; import banks' outcome files),
insurance claims, pages of every role, demo data."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from python_calamine import CalamineWorkbook

from srdi.core import xlsx
from srdi.finance import exchange, services
from srdi.finance.models import InsuranceClaim, Loan, PartnerAccess

pytestmark = pytest.mark.django_db


def _rows(content: bytes):
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_export_only_consented_enterprises_and_sections(fin):
    # A: all sections to 测试银行 (shared fixture); B: basic only to 常熟农商银行
    services.grant_consent(fin["b_user"], fin["b"], banks_=["常熟农商银行"], sections=["basic"])
    rows = _rows(exchange.export_file(fin["jrj"], "xlsx"))
    head = rows[0]
    by = {r[head.index("统一社会信用代码")]: r for r in rows[1:]}
    assert set(by) == {fin["a"].uscc, fin["b"].uscc}
    rev = head.index("营业收入（万元）")
    assert by[fin["a"].uscc][rev] == 10000
    assert by[fin["b"].uscc][rev] in ("", None)
    # a bank's export: only the consents naming it, and logged
    rows = _rows(exchange.export_file(fin["bank1"], "xlsx"))
    assert [r[0] for r in rows[1:]] == [fin["b"].uscc]
    assert PartnerAccess.objects.filter(enterprise=fin["b"], door="export").exists()
    # nobody else
    with pytest.raises(PermissionDenied):
        exchange.export_file(fin["b_user"], "xlsx")
    csv = exchange.export_file(fin["jrj"], "csv").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("统一社会信用代码,企业名称")


def _outcome_file(rows):
    headers = [
        "统一社会信用代码",
        "银行",
        "业务编号",
        "融资类型",
        "金额（万元）",
        "年利率（%）",
        "期限（月）",
        "放款日期",
    ]
    return xlsx.workbook([xlsx.Sheet("放款", headers, rows)])


def test_import_outcomes_all_or_nothing(fin):
    good = [fin["a"].uscc, "中国银行常熟支行", "B-001", "信用贷款", 300, 3.65, 12, "2026-03-01"]
    bad = [fin["b"].uscc, "中国银行常熟支行", "B-002", "信用贷款", "三百", 3.65, 12, "2026-03-01"]
    unknown = [
        "91320581000000000X",
        "中国银行常熟支行",
        "B-003",
        "信用贷款",
        100,
        3.5,
        12,
        "2026-03-01",
    ]
    with pytest.raises(exchange.ImportProblems) as e:
        exchange.import_outcomes(fin["jrj"], "outcomes.xlsx", _outcome_file([good, bad, unknown]))
    text = "\n".join(e.value.messages)
    assert "第3行" in text and "应为数字" in text and "第4行" in text and "企业库中没有" in text
    assert not Loan.objects.exists()
    r = exchange.import_outcomes(fin["jrj"], "outcomes.xlsx", _outcome_file([good]))
    assert r == {"rows": 1}
    # the same reference again updates, never duplicates
    exchange.import_outcomes(
        fin["jrj"], "outcomes.xlsx", _outcome_file([good[:4] + [350] + good[5:]])
    )
    (loan,) = Loan.objects.all()
    assert loan.amount == 350 and loan.kind == "credit" and str(loan.loaned_on) == "2026-03-01"
    # a bank may report only its own loans
    with pytest.raises(exchange.ImportProblems, match="只能报送本行"):
        exchange.import_outcomes(fin["bank1"], "o.xlsx", _outcome_file([good]))
    with pytest.raises(ValidationError, match="缺少必需的列"):
        exchange.import_outcomes(fin["jrj"], "o.csv", "统一社会信用代码,银行\n".encode())
    with pytest.raises(ValidationError, match="无法读取"):
        exchange.import_outcomes(fin["jrj"], "o.xlsx", b"not a workbook")


def test_insurance_claims_against_the_policy_catalogue(fin, client):
    from srdi.policies.models import Policy

    p = Policy.objects.create(key="first-set-insurance", title="首台（套）重大技术装备保险补偿",
                              category="finance", status=Policy.Status.PUBLISHED)  # fmt: skip
    data = {"kind": "first_set", "policy": p.pk, "insurer": "人保财险", "subject": "数控成套装备",
            "insured_amount": "1000", "premium": "20", "subsidy_requested": "16"}  # fmt: skip
    c = services.apply_insurance(fin["b_user"], fin["b"], data)
    with pytest.raises(PermissionDenied):
        services.apply_insurance(fin["b_user"], fin["a"], data)
    with pytest.raises(PermissionDenied):
        services.settle_insurance(fin["b_user"], c, "approved")
    with pytest.raises(ValidationError):
        services.settle_insurance(fin["jrj"], c, "paid", amount="16", paid_on="2026-06-01")
    services.settle_insurance(fin["jrj"], c, "approved")
    services.settle_insurance(fin["jrj"], c, "paid", amount="16", paid_on="2026-06-01")
    c = InsuranceClaim.objects.get()
    assert c.status == "paid" and c.subsidy_paid == 16
    client.force_login(fin["b_user"])
    assert "数控成套装备" in client.get("/finance/insurance/").content.decode()
    client.force_login(fin["bank1"])
    assert client.get("/finance/insurance/").status_code == 404


PAGES = ["/finance/", "/finance/consents/", "/finance/access-log/", "/finance/needs/",
         "/finance/products/", "/finance/outcomes/", "/finance/listing/", "/finance/exchange/",
         "/finance/insurance/", "/finance/shared/"]  # fmt: skip
EXPECTED = {
    "jrj": [200, 200, 200, 200, 200, 200, 200, 200, 200, 404],
    "bank1": [200, 404, 200, 200, 200, 200, 404, 200, 404, 200],
    "b_user": [200, 200, 200, 200, 200, 403, 200, 403, 200, 404],
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_page_for_every_role(fin, client, who):
    from srdi.finance.demo import finance_demo  # noqa: F401 (pages must render on empty data too)

    client.force_login(fin[who])
    got = [client.get(u).status_code for u in PAGES]
    assert got == EXPECTED[who]


def test_demo_fills_every_state_and_is_idempotent(fin):
    import datetime as dt
    import random

    from srdi.core import demo
    from srdi.finance.models import ListingCandidate, Need, Product
    from srdi.registry.models import DataShare, Enterprise

    for i in range(40):
        Enterprise.objects.create(uscc=f"91320581MA{i:06d}0X"[:18], name=f"演示企业{i}")
    ctx = demo.Context(seed=1, rng=random.Random("1:finance"), today=dt.date(2026, 6, 1))
    from srdi.finance.demo import finance_demo

    line = finance_demo(ctx)
    assert "特色金融" in line
    counts = (Product.objects.count(), Need.objects.count(), Loan.objects.count(),
              ListingCandidate.objects.count(), DataShare.objects.count())  # fmt: skip
    assert set(Need.objects.values_list("state", flat=True)) == set(Need.State.values)
    assert DataShare.objects.filter(revoked_at__isnull=False).exists()
    assert DataShare.objects.filter(until__lt=dt.date(2026, 6, 1)).exists()
    stages = set(ListingCandidate.objects.values_list("stage", flat=True))
    assert {"cultivating", "listed", "proposed"} <= stages
    finance_demo(demo.Context(seed=1, rng=random.Random("1:finance"), today=dt.date(2026, 6, 1)))
    assert counts == (Product.objects.count(), Need.objects.count(), Loan.objects.count(),
                      ListingCandidate.objects.count(), DataShare.objects.count())  # fmt: skip
