"""The attack scripts' shared fixture: the platform, started as in production with `srdi serve`
(waitress) on a free local port, over a temporary SQLite database of its own.

Use it like an outsider would: only HTTP and the `srdi` command, never the test process's ORM.

    def test_something(platform):
        b = platform.browser()                       # cookies, CSRF, no automatic redirects
        b.login("gxj")                               # every seeded user has platform.password
        r = b.get("/enterprises/")                   # -> Response(status, headers, body, text, json())
        r = platform.api("PATCH", f"/api/enterprises/{platform.uscc_a}", {"name": "x"},
                         token=platform.tokens["region_officer"])
        out = platform.srdi("backup", "-o", str(path))   # the CLI on the same database
        ip = platform.python("from srdi.audit.models import AuditLog; print(AuditLog...)")

The seeded data mirror the suite's root conftest: two 板块 (梅李镇 = A, 海虞镇 = B), enterprise A
(``platform.uscc_a``) and B (``platform.uscc_b``), one user per role (``platform.users``: role →
username, all with ``platform.password``) and an API token per role (``platform.tokens``).

- ``platform`` (module scope): one server per test module; state carries over between the
  tests of a module, so each test uses its own client addresses or accounts where it matters.
- ``platform_factory`` (module scope): ``platform_factory(SRDI_HTTPS="1", ...)`` starts another
  server with extra environment (e.g. behind the HTTPS proxy); stopped at the module's end.
- ``Browser(base, source=...)`` connects from another loopback address (127.0.0.2, …) so that
  one test can play several clients; the server sees each as its own client address.

The migrated and seeded database is made once per test session (per xdist worker) and copied
for each server; a server starts in about 2 seconds.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRDI = Path(sys.executable).with_name("srdi")
PASSWORD = "Attack-Test-2026"

SEED = r"""
import datetime as dt, json
from srdi.accounts.models import ApiToken, User
from srdi.accounts.roles import Department, Role
from srdi.registry.models import AnnualFigures, DataShare, Enterprise, Region

a_region = Region.objects.get(name="梅李镇")
b_region = Region.objects.get(name="海虞镇")
a = Enterprise.objects.create(uscc="91320581712345672C", name="常熟市精工轴承有限公司",
                              region=a_region, industry_code="C3451")
b = Enterprise.objects.create(uscc="91320581723456781R", name="常熟市恒润新材料有限公司",
                              region=b_region, industry_code="C2614")
AnnualFigures.objects.create(enterprise=a, year=2024, employees=260, revenue=10000, main_revenue=9000)
AnnualFigures.objects.create(enterprise=b, year=2024, employees=45, revenue=2000, main_revenue=1400)
PW = PASSWORD
spec = {
    "admin": ("gxj", Role.ADMIN, {"is_staff": True, "is_superuser": True}),
    "department": ("kjj", Role.DEPARTMENT, {"department": Department.KJJ}),
    "region_officer": ("meili", Role.REGION_OFFICER, {"region": a_region}),
    "commissioner": ("zhuanyuan", Role.COMMISSIONER, {}),
    "enterprise": ("jinggong", Role.ENTERPRISE, {"enterprise": a}),
    "partner": ("bank", Role.PARTNER, {"organization": "测试银行"}),
    "partner_unshared": ("bank2", Role.PARTNER, {"organization": "另一银行"}),
}
users, tokens = {}, {}
for role, (name, r, extra) in spec.items():
    u = User.objects.create_user(username=name, password=PW, role=r, **extra)
    users[role] = name
    tokens[role] = ApiToken.issue(u, "attack")[1]
a.commissioners.add(User.objects.get(username="zhuanyuan"))
DataShare.objects.create(enterprise=a, organization="测试银行",
                         granted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
print("SEED=" + json.dumps({"users": users, "tokens": tokens, "uscc_a": a.uscc, "uscc_b": b.uscc}))
""".replace("PASSWORD", repr(PASSWORD))


# --------------------------------------------------------------------------------- HTTP client


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)


class Browser:
    """A small HTTP client: one cookie jar, the CSRF token, no automatic redirects.

    ``source`` binds the connection to another local address (127.0.0.2 …): the platform sees
    a different client. ``cafile`` trusts the test proxy's self-signed certificate (https).
    """

    def __init__(self, base: str, *, source: str | None = None, cafile: str | None = None):
        self.base = base.rstrip("/")
        parts = urllib.parse.urlsplit(self.base)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.source = source
        self.cafile = cafile
        self.cookies: dict[str, str] = {}

    def _connection(self):
        source = (self.source, 0) if self.source else None
        if self.scheme == "https":
            ctx = ssl.create_default_context(cafile=self.cafile)
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=30, context=ctx, source_address=source
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=source)

    def request(self, method, path, body=None, headers=None) -> Response:
        url = path if path.startswith("/") else urllib.parse.urlsplit(path).path
        hdrs = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-CN"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        conn = self._connection()
        try:
            conn.request(method, url, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        for raw in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in raw.lower() or "expires=thu, 01 jan 1970" in raw.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return Response(r.status, r.headers, data)

    def get(self, path, **headers) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path, data: dict, **headers) -> Response:
        """A form post as the browser sends it (CSRF token and Referer included)."""
        if "csrftoken" not in self.cookies:
            self.get(path)
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        body = urllib.parse.urlencode(fields)
        hdrs = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": self.base + path,
            "Origin": self.base,
            **headers,
        }
        return self.request("POST", path, body=body, headers=hdrs)

    def login(self, username: str, password: str = PASSWORD) -> Response:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"username": username, "password": password})

    def logged_in(self) -> bool:
        return "sessionid" in self.cookies

    def api(self, method, path, data=None, *, token=None, csrf=False, **headers) -> Response:
        hdrs = {"Content-Type": "application/json", **headers}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if csrf:
            hdrs["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            hdrs["Referer"] = self.base + "/"
        body = None if data is None else json.dumps(data, ensure_ascii=False).encode()
        return self.request(method, path, body=body, headers=hdrs)


# --------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url_host: str, port: int, path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(url_host, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status in (200, 301, 302):
                return
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"server on {url_host}:{port} did not answer: {last}")


def base_env(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SRDI_", "DJANGO_"))}
    env.update(
        {
            "SRDI_VAR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'srdi.sqlite3'}",
            "SRDI_TESTING": "1",  # fast password hashing, jobs run inline, static via finders
            "SRDI_DEBUG": "0",
            "SRDI_HTTPS": "0",
            "SRDI_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SRDI_SECRET_KEY": "attack-tests-only-" + var.name,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Platform:
    url: str
    port: int
    var: Path
    env: dict
    seed: dict
    process: subprocess.Popen | None = field(default=None, repr=False)
    password: str = PASSWORD

    @property
    def users(self) -> dict[str, str]:
        return self.seed["users"]

    @property
    def tokens(self) -> dict[str, str]:
        return self.seed["tokens"]

    @property
    def uscc_a(self) -> str:
        return self.seed["uscc_a"]

    @property
    def uscc_b(self) -> str:
        return self.seed["uscc_b"]

    def browser(self, source: str | None = None) -> Browser:
        return Browser(self.url, source=source)

    def api(self, method, path, data=None, *, token=None, **headers) -> Response:
        return self.browser().api(method, path, data, token=token, **headers)

    def srdi(self, *args, input: str | None = None, env: dict | None = None, check=False):
        """Run the `srdi` command on this server's database; returns CompletedProcess."""
        return subprocess.run(
            [str(SRDI), *args],
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=300,
            check=check,
        )

    def python(self, code: str) -> str:
        """Run Python in `srdi shell` on this server's database; returns what it printed."""
        r = self.srdi("shell", "--no-imports", "-c", code)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def log(self) -> str:
        return (self.var / "server.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def attack_template(tmp_path_factory) -> tuple[Path, dict]:
    """A migrated database with reference data and the seed, made once per session."""
    var = tmp_path_factory.mktemp("attack-template")
    env = base_env(var)
    for args in (["migrate", "--noinput", "-v0"], ["loadref"]):
        subprocess.run([str(SRDI), *args], env=env, check=True, capture_output=True, timeout=300)
    out = subprocess.run(
        [str(SRDI), "shell", "--no-imports", "-c", SEED],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seed = json.loads(out.split("SEED=", 1)[1].strip())
    return var, seed


def start_platform(template, root: Path, database: Path | None = None, **extra_env) -> Platform:
    """A server over a copy of the template database (or of `database`, a directory holding an
    `srdi.sqlite3`, e.g. one made by `srdi restore`)."""
    src, seed = template
    src = Path(database) if database is not None else src
    var = root / f"srv-{len(list(root.iterdir())) + 1}"
    var.mkdir()
    for name in ("srdi.sqlite3", "srdi.sqlite3-wal", "srdi.sqlite3-shm"):
        if (src / name).exists():
            shutil.copy2(src / name, var / name)
    if (src / "media").is_dir():
        shutil.copytree(src / "media", var / "media")
    port = free_port()
    env = {**base_env(var), **{k: str(v) for k, v in extra_env.items()}}
    log = open(var / "server.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    process = subprocess.Popen(
        [str(SRDI), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    platform = Platform(f"http://127.0.0.1:{port}", port, var, env, seed, process)
    try:
        wait_for("127.0.0.1", port)
    except RuntimeError:
        platform.stop()
        raise RuntimeError(platform.log()) from None
    return platform


@pytest.fixture(scope="module")
def platform_factory(attack_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("attack")
    started: list[Platform] = []

    def make(database: Path | None = None, **extra_env) -> Platform:
        p = start_platform(attack_template, root, database, **extra_env)
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()


@pytest.fixture(scope="module")
def platform(platform_factory) -> Platform:
    return platform_factory()
