"""A request body that does not fit an operation's schema is answered 422 in Chinese, naming
each field and what is wrong — never the validation library's English."""

from django.test import Client

from srdi.accounts.models import ApiToken


def test_schema_errors_name_the_field_in_chinese(users):
    token = ApiToken.issue(users["enterprise"], "t")[1]
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = c.post("/api/support/requests", {}, content_type="application/json")
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] == "请求内容有误（category：缺少必填项；description：缺少必填项）"
    assert body["errors"] == [
        {"where": "category", "message": "缺少必填项"},
        {"where": "description", "message": "缺少必填项"},
    ]
    r = c.post("/api/support/requests", {"category": 5, "description": "x"},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and "category：类型或格式不正确" in r.json()["detail"]
    assert "Field required" not in r.content.decode() and "Input should" not in r.content.decode()
