"""srdi innovation match: the command door (JSON out, exit 2 with a Chinese message)."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_match_command_prints_the_format(tmp_path, capsys):
    needs = tmp_path / "n.json"
    caps = tmp_path / "c.json"
    needs.write_text(
        json.dumps(
            [
                {
                    "id": "n1",
                    "title": "羽绒服钻绒",
                    "description": "面料跑绒投诉多",
                    "field": "纺织服装",
                }
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    caps.write_text(json.dumps([
        {"id": "c1", "institution": "东华大学", "title": "高密防钻绒面料织造", "description": "轧光整理提高防钻绒等级", "keywords": ["防钻绒"]},
        {"id": "c2", "institution": "江南大学", "title": "印染废水处理", "description": "高级氧化与回用"},
    ], ensure_ascii=False), encoding="utf-8")  # fmt: skip
    call_command("innovation", "match", str(needs), str(caps), "--top", "1", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert out["results"][0]["need"] == "n1"
    assert [m["capability"] for m in out["results"][0]["matches"]] == ["c1"]


def test_bad_input_exits_2_in_chinese(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("innovation", "match", str(bad), str(bad), "--format", "json")
    assert exc.value.returncode == 2 and "不是有效的 JSON" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("innovation", "match", str(bad), str(bad), "--format", "xml")
    assert exc.value.returncode == 2 and "--format" in str(exc.value)


@pytest.mark.slow
def test_exit_status_through_the_real_command(tmp_path):
    missing = tmp_path / "none.json"
    r = subprocess.run([sys.executable, "-m", "srdi.cli", "innovation", "match", str(missing), str(missing), "--format", "json"],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and "需求文件不存在" in r.stderr
