"""The production recipe (deploy/): rendered with sample values, checked by the real tools where
this machine has them (systemd-analyze verify, nginx -t, logrotate -d) and always by structure."""

from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _render_module():
    spec = importlib.util.spec_from_file_location("srdi_deploy_render", DEPLOY / "render.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


render = _render_module()


def sample_values(tmp: Path) -> dict[str, str]:
    values = render.read_values(DEPLOY / "example.env")
    # executables and paths that exist here, so that systemd-analyze can check them
    values["SRDI_BIN"] = str(Path(sys.executable).parent / "srdi")
    values["SRDI_HOME"] = str(ROOT)
    values["SRDI_LOG_DIR"] = str(tmp / "log")
    values["BACKUP_DIR"] = str(tmp / "backup")
    values["SRDI_USER"] = "root"
    return values


@pytest.fixture
def rendered(tmp_path) -> tuple[Path, dict[str, str], dict[str, str]]:
    values = sample_values(tmp_path)
    files = render.render(values)
    out = tmp_path / "out"
    for rel, text in files.items():
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return out, files, values


def test_every_placeholder_is_filled_and_every_value_used(rendered) -> None:
    out, files, values = rendered
    assert len(files) >= 13
    for rel, text in files.items():
        assert "@@" not in text, rel
    assert values["SERVER_NAME"] in files["nginx/srdi.conf"]
    bad = dict(values)
    del bad["TLS_CERT"]
    with pytest.raises(SystemExit, match="TLS_CERT"):
        render.render(bad)
    with pytest.raises(SystemExit, match="TYPO"):
        render.render({**values, "TYPO": "1"})


def _unit(text: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str  # type: ignore[assignment]
    cp.read_string(text)
    return cp


def test_units_have_the_expected_structure(rendered) -> None:
    _out, files, values = rendered
    units = {k.split("/", 1)[1]: v for k, v in files.items() if k.startswith("systemd/")}
    assert {
        "srdi-web.service",
        "srdi-huey.service",
        "srdi-daily.service",
        "srdi-daily.timer",
        "srdi-backup.service",
        "srdi-backup.timer",
        "srdi-monthly.service",
        "srdi-monthly.timer",
    } <= set(units)
    for name, text in units.items():
        cp = _unit(text)
        assert cp.has_section("Unit"), name
        if name.endswith(".service"):
            svc = cp["Service"]
            assert svc["User"] == values["SRDI_USER"]
            assert svc["EnvironmentFile"] == values["SRDI_ENV_FILE"]
            assert svc["ProtectSystem"] == "strict" and svc["NoNewPrivileges"] == "yes"
            starts = re.findall(r"^ExecStart=(.+)$", text, re.M)
            assert starts and all(s.split()[0].startswith("/") for s in starts), name
        else:
            timer = cp["Timer"]
            assert timer["OnCalendar"] and timer["Persistent"] == "true"
            assert cp["Install"]["WantedBy"] == "timers.target"
            assert (name.removesuffix(".timer") + ".service") in units  # the unit it starts
    web = units["srdi-web.service"]
    assert f"serve --host {values['LISTEN_HOST']} --port {values['LISTEN_PORT']}" in web
    assert "run_huey --workers" in units["srdi-huey.service"]
    daily = units["srdi-daily.service"]
    for job in ("alerts --refresh-pool --digest", "purge_jobs", "purge_evaluations"):
        assert job in daily
    backup = units["srdi-backup.service"]
    assert "backup -o" in backup and "backup --check" in backup
    assert "%%F" in backup  # systemd's escape for date's %F
    for cmd in re.findall(r"srdi (\w+)", "\n".join(units.values())):
        assert cmd in _commands(), cmd  # every scheduled command exists


def _commands() -> set[str]:
    from django.core.management import get_commands

    return set(get_commands())


def test_nginx_site_matches_the_trusted_proxy_settings(rendered) -> None:
    _out, files, values = rendered
    conf = files["nginx/srdi.conf"]
    assert conf.count("{") == conf.count("}")
    assert "listen 443 ssl" in conf and "ssl_protocols TLSv1.2 TLSv1.3" in conf
    assert f"ssl_certificate     {values['TLS_CERT']};" in conf
    assert "return 301 https://$host$request_uri" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert 'proxy_set_header X-Forwarded-Host "";' in conf  # forged headers dropped
    assert f"server {values['LISTEN_HOST']}:{values['LISTEN_PORT']};" in conf
    env = files["srdi.env"]
    # nginx runs on the same host: its address is the one the platform trusts
    assert f"SRDI_TRUSTED_PROXIES={values['TRUSTED_PROXIES']}" in env
    assert values["LISTEN_HOST"] in values["TRUSTED_PROXIES"].split(",")
    assert "SRDI_HTTPS=1" in env and f"SRDI_ALLOWED_HOSTS={values['SERVER_NAME']}" in env
    assert "SRDI_SECRET_KEY=" not in env.replace("# SRDI_SECRET_KEY=", "")  # no key shipped


def test_postgres_redis_logrotate_settings(rendered) -> None:
    _out, files, values = rendered
    pg = dict(
        (k.strip(), v.strip())
        for k, v in (
            line.split("=", 1)
            for line in files["postgresql/srdi.conf"].splitlines()
            if line.strip() and not line.startswith("#")
        )
    )
    assert pg["listen_addresses"] == "'localhost'"
    assert pg["shared_buffers"] == values["PG_SHARED_BUFFERS"]
    assert pg["password_encryption"] == "scram-sha-256"
    redis = files["redis/srdi.conf"]
    assert "maxmemory-policy noeviction" in redis and "appendonly yes" in redis
    assert re.search(r"^bind 127\.0\.0\.1", redis, re.M)
    lr = files["logrotate/srdi"]
    assert lr.strip().startswith("#") and f"{values['SRDI_LOG_DIR']}/*.log {{" in lr
    assert lr.count("{") == lr.count("}") == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="无 systemd-analyze")
def test_systemd_analyze_verify(rendered) -> None:
    out, _files, _values = rendered
    units = sorted(str(p) for p in (out / "systemd").iterdir())
    r = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "Unknown key" not in r.stderr and "not executable" not in r.stderr


@pytest.mark.skipif(shutil.which("nginx") is None, reason="无 nginx")
def test_nginx_t(rendered, tmp_path) -> None:
    out, _files, values = rendered
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=" + values["SERVER_NAME"], "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (out / "nginx" / "srdi.conf").read_text(encoding="utf-8")
    site = site.replace(values["TLS_CERT"], str(cert)).replace(values["TLS_KEY"], str(key))
    site = re.sub(r"(access|error)_log [^;]+;", "", site)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = (
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    (tmp_path / "nginx.conf").write_text(main, encoding="utf-8")
    r = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="无 logrotate")
def test_logrotate_debug(rendered, tmp_path) -> None:
    out, _files, values = rendered
    Path(values["SRDI_LOG_DIR"]).mkdir(parents=True, exist_ok=True)
    (Path(values["SRDI_LOG_DIR"]) / "web.log").write_text("x\n", encoding="utf-8")
    r = subprocess.run(
        ["logrotate", "-d", "-s", str(tmp_path / "state"), str(out / "logrotate" / "srdi")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "error" not in r.stderr.lower(), r.stderr
