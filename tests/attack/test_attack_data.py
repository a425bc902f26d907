"""Issue 10, items 4–9 played as an attacker would, against the running platform (`srdi serve`
on a free port, its own database; see conftest.py). Only HTTP and the `srdi` command are used.

Run alone: .venv/bin/python -m pytest tests/attack/test_attack_data.py -q
"""

from __future__ import annotations

import io
import json
import time
import uuid

import openpyxl

WRITE = {"post", "put", "patch", "delete"}


# ------------------------------------------------------------------ 4. out of scope is 404


def test_probing_another_boards_enterprise_reveals_nothing(platform):
    """板块 A's officer and enterprise A's user probe enterprise B everywhere they can name it."""
    b = platform.uscc_b
    pages = [
        f"/enterprises/{b}/",
        f"/enterprises/{b}/edit/basic/",
        f"/enterprises/{b}/edit/years/2024/",
        f"/evaluation/{b}/",
        f"/diagnosis/{b}/",
        f"/diagnosis/{b}/report.pdf",
        f"/policies/enterprise/{b}/",
    ]
    for who, source in (("region_officer", "127.0.0.41"), ("enterprise", "127.0.0.42")):
        browser = platform.browser(source=source)
        assert browser.login(platform.users[who]).status == 302
        for page in pages:
            r = browser.get(page)
            assert r.status == 404, (who, page, r.status)
            assert b not in r.text and "恒润" not in r.text  # not even the name leaks
        token = platform.tokens[who]
        schema = platform.api("GET", "/api/openapi.json").json()
        tried = 0
        for path, item in schema["paths"].items():
            if "{uscc}" not in path:
                continue
            for method, op in item.items():
                if method not in {"get", *WRITE}:
                    continue
                concrete = path.replace("{uscc}", b)
                for p in op.get("parameters", []):
                    if p["in"] == "path" and p["name"] != "uscc":
                        concrete = concrete.replace("{" + p["name"] + "}", "srdi_sme")
                r = platform.api(method.upper(), concrete, {}, token=token)
                assert r.status in (404, 422), (who, method, concrete, r.status, r.text[:200])
                tried += 1
        assert tried >= 5


def test_guessing_ids_of_jobs_imports_and_inbox_is_404(platform):
    admin = platform.browser(source="127.0.0.43")
    admin.login(platform.users["admin"])
    r = admin.get("/enterprises/export.xlsx?background=1")
    officer = platform.browser(source="127.0.0.44")
    officer.login(platform.users["region_officer"])
    for path in ("/jobs/1/", "/jobs/1.json", "/jobs/1/download", "/io/imports/1/", "/inbox/1/"):
        r = officer.get(path)
        assert r.status == 404, (path, r.status)
    r = platform.api("GET", "/api/io/imports/1", token=platform.tokens["region_officer"])
    assert r.status == 404


# ------------------------------------------------------------------ 5. every rule in every door


def test_moving_an_enterprise_out_of_scope_is_refused_and_not_saved(platform):
    a = platform.uscc_a
    for who in ("region_officer", "enterprise"):
        r = platform.api(
            "PATCH", f"/api/enterprises/{a}", {"region": "海虞镇"}, token=platform.tokens[who]
        )
        assert r.status == 403, (who, r.status, r.text)
    r = platform.api("GET", f"/api/enterprises/{a}", token=platform.tokens["admin"])
    assert r.json()["profile"]["region"] == "梅李镇"


def test_the_api_refuses_what_the_web_form_refuses(platform):
    a = platform.uscc_a
    r = platform.api(
        "PATCH",
        f"/api/enterprises/{a}",
        {"years": {"2099": {"revenue": 1}}},
        token=platform.tokens["admin"],
    )
    assert r.status == 400 and "年度不能晚于" in r.text


def test_a_bank_cannot_create_evaluation_runs(platform):
    before = platform.python(
        "from srdi.evaluation.models import EvaluationRun; print(EvaluationRun.objects.count())"
    )
    r = platform.api(
        "POST", "/api/evaluations", {"uscc": [platform.uscc_a]}, token=platform.tokens["partner"]
    )
    # 200 (results computed, nothing stored) when the enterprise granted the bank its diagnosis,
    # 404 when its consent does not cover it (issue 15); either way no run is created
    assert r.status in (200, 404)
    after = platform.python(
        "from srdi.evaluation.models import EvaluationRun; print(EvaluationRun.objects.count())"
    )
    assert before == after


def test_an_importer_cannot_speak_for_another_department(platform, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(json.dumps([{"uscc": platform.uscc_a, "name": "常熟市精工轴承有限公司"}]), "utf-8")
    body, ctype = _multipart({"department": "市统计局"}, "file", f.name, f.read_bytes())
    r = platform.browser().request(
        "POST",
        "/api/io/import",
        body=body,
        headers={
            "Content-Type": ctype,
            "Authorization": f"Bearer {platform.tokens['region_officer']}",
        },
    )
    assert r.status == 403 and "其他部门" in r.json()["detail"]


# ------------------------------------------------------------------ 6. no lost update


def test_a_stale_write_is_refused_with_412(platform):
    a = platform.uscc_a
    admin = platform.tokens["admin"]
    r = platform.api("GET", f"/api/enterprises/{a}", token=admin)
    etag = r.header("ETag")
    assert etag
    r = platform.api(
        "PATCH",
        f"/api/enterprises/{a}",
        {"years": {"2024": {"revenue": 12121}}},
        token=platform.tokens["region_officer"],
    )
    assert r.status == 200
    r = platform.api(
        "PATCH",
        f"/api/enterprises/{a}",
        {"years": {"2024": {"revenue": 1}}},
        token=admin,
        **{"If-Match": etag},
    )
    assert r.status == 412 and r.header("ETag") != etag
    r = platform.api("GET", f"/api/enterprises/{a}", token=admin)
    assert r.json()["profile"]["years"]["2024"]["revenue"] == 12121


# ------------------------------------------------------------------ 7. hostile files


def _multipart(fields: dict, file_field: str, filename: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_a_zip_bomb_and_a_deep_json_cost_seconds_and_get_chinese(platform, tmp_path):
    from srdi.exchange import hostile

    bomb = hostile.zip_bomb(tmp_path / "名单.xlsx", gigabytes=4)
    deep = hostile.deep_json(tmp_path / "deep.json")
    for f, words in ((bomb, "压缩炸弹"), (deep, "嵌套层数超过上限")):
        # the CLI door: exit status 2 and a Chinese message
        t = time.monotonic()
        r = platform.srdi("import", str(f))
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr
        assert time.monotonic() - t < 60
        # the API door: 400 with the problem, never a 500
        body, ctype = _multipart({}, "file", f.name, f.read_bytes())
        r = platform.browser().request(
            "POST", "/api/io/import", body=body,
            headers={"Content-Type": ctype, "Authorization": f"Bearer {platform.tokens['admin']}"},
        )  # fmt: skip
        text = json.dumps(r.json(), ensure_ascii=False)
        assert r.status == 400 and words in text, (r.status, text[:300])


# ------------------------------------------------------------------ 8. exports are not a weapon


def test_a_formula_name_comes_back_as_text_in_the_export(platform):
    evil = '=HYPERLINK("http://evil.example/","点我领补贴")'
    r = platform.api(
        "PATCH",
        f"/api/enterprises/{platform.uscc_a}",
        {"name": evil},
        token=platform.tokens["admin"],
    )
    assert r.status == 200, r.text
    admin = platform.browser(source="127.0.0.45")
    admin.login(platform.users["admin"])
    r = admin.get("/enterprises/export.xlsx")
    assert r.status == 200 and r.body[:2] == b"PK"
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)


# ------------------------------------------------------------------ 9. never a 500


def test_malformed_requests_never_get_a_server_error(platform):
    token = platform.tokens["admin"]
    b = platform.browser()
    auth = {"Authorization": f"Bearer {token}"}
    tries = [
        ("GET", "/api/cultivation/alerts?offset=-5", None, {}),
        ("GET", "/api/cultivation/alerts?limit=99999999999999999999999", None, {}),
        ("GET", "/api/enterprises/?page=-1", None, {}),
        ("GET", "/api/innovation/projects?year=-1638", None, {}),
        ("GET", f"/api/diagnosis/{platform.uscc_a}?as_of=2024-02-31", None, {}),
        ("PATCH", f"/api/enterprises/{platform.uscc_a}", b'{"years": []}', {"Content-Type": "application/json"}),
        ("PATCH", f"/api/enterprises/{platform.uscc_a}", b"[" * 100_000, {"Content-Type": "application/json"}),
        ("POST", "/api/evaluations", b'{"uscc": 5}', {"Content-Type": "application/json"}),
        ("POST", "/api/io/import", b"--x\r\n", {"Content-Type": "multipart/form-data"}),
        ("POST", "/api/innovation/match", b'{"needs": [], "capabilities": []}', {"Content-Type": "application/json"}),
    ]  # fmt: skip
    for method, path, body, headers in tries:
        r = b.request(method, path, body=body, headers={**auth, **headers})
        assert r.status < 500, (method, path, r.status, r.text[:200])


def test_the_server_logged_no_traceback(platform):
    assert "Traceback" not in platform.log()
