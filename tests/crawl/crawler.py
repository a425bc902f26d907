"""A generic crawler of the platform as one user (issue 11 "Done when").

It starts from the user's home page, the menu and every URL pattern without arguments (plus any
start paths given), follows every same-site link and GET form it finds (a few links per shape of
path: numbers and USCCs collapsed, long lists sampled), and checks each answer:

- no answer >= 500 (the test client re-raises a view's exception: that counts as 500);
- no link or button shown to the user that leads to 403 (a POST form is submitted with its own
  values inside a transaction that is rolled back);
- HTML pages: no forbidden token (screen_rules.yaml) and no English sentence in the visible text;
- downloads (xlsx, docx, pdf): the same checks on their text, and a Chinese file name.

What it finds is a list of `Problem(role, path, kind, text)`; the rules are data
(screen_rules.yaml), so adding a token is a one-line change.
"""

from __future__ import annotations

import io
import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import yaml
from django.db import transaction
from django.urls import URLResolver, get_resolver
from lxml import html as lxml_html

RULES_FILE = Path(__file__).with_name("screen_rules.yaml")
CJK = re.compile(r"[\u4e00-\u9fff]")
SHAPE_ID = re.compile(r"[0-9A-Z]{18}|\d+")
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/accounts/logout", "/jsi18n/")
BLOCK_TAGS = {
    "p",
    "li",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "button",
    "a",
    "label",
    "span",
    "dd",
    "dt",
    "option",
    "legend",
    "caption",
    "small",
    "strong",
    "em",
    "div",
    "title",
    "summary",
    "figcaption",
}


@dataclass(frozen=True)
class Problem:
    role: str
    path: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.path} · {self.kind}: {self.text}"


@dataclass
class Rules:
    forbidden: list[tuple[str, str, re.Pattern, frozenset]]
    exempt_classes: frozenset
    exempt_paths: tuple
    english_min_words: int
    english_allowed: frozenset
    filename_must: re.Pattern
    tech_heading: str = ""
    exempt_download_text: tuple = ()

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> Rules:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        forbidden = [
            (r["key"], r["label"], re.compile(r["pattern"]), frozenset(r.get("allow") or ()))
            for r in data["forbidden"]
        ]
        eng = data["english"]
        return cls(
            forbidden=forbidden,
            exempt_classes=frozenset(data.get("exempt_classes") or ()),
            exempt_paths=tuple(data.get("exempt_paths") or ()),
            english_min_words=int(eng["min_words"]),
            english_allowed=frozenset(w.lower() for w in eng["allowed_words"]),
            filename_must=re.compile(data["filenames"]["must_match"]),
            tech_heading=data.get("tech_appendix_heading") or "",
            exempt_download_text=tuple(data.get("exempt_download_text") or ()),
        )

    def check_text(self, text: str) -> list[tuple[str, str]]:
        """(label, offending snippet) for every forbidden token and English sentence."""
        out = []
        for _key, label, pattern, allow in self.forbidden:
            for m in pattern.finditer(text):
                if m.group(0) in allow:
                    continue
                a, b = max(0, m.start() - 15), min(len(text), m.end() + 15)
                out.append((label, f"「{m.group(0)}」…{text[a:b].strip()}…"))
                break
        sentence = self.english_sentence(text)
        if sentence:
            out.append(("英文句子", f"「{sentence}」"))
        return out

    def english_sentence(self, text: str) -> str | None:
        run: list[str] = []
        for token in re.findall(r"[A-Za-z][A-Za-z'&-]*|\S", text):
            word = token if re.match(r"[A-Za-z]", token) else None
            if word and len(word) >= 2 and word.lower() not in self.english_allowed:
                run.append(word)
                if len(run) >= self.english_min_words:
                    return " ".join(run)
            elif word and len(word) < 2:
                continue  # "a", "I": keep the run going
            else:
                run = []
        return None


def texts_of(doc, exempt_classes) -> list[str]:
    """The visible texts of a page, one per text-bearing element (its own text and inline
    children), leaving out scripts, styles, hidden inputs and exempt (技术信息) elements."""
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.getparent().remove(bad) if bad.getparent() is not None else None
    for cls in exempt_classes:
        for el in doc.xpath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"):
            if el.getparent() is not None:
                el.getparent().remove(el)
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS:
            continue
        if el.tag == "div" and len(el):
            own = (el.text or "") + "".join((c.tail or "") for c in el)
            text = " ".join(own.split())
        else:
            text = " ".join(el.text_content().split())
        if text:
            out.append(text)
    for attr in ("title", "placeholder", "aria-label", "alt"):
        for value in doc.xpath(f"//@{attr}"):
            value = " ".join(str(value).split())
            if value:
                out.append(value)
    for value in doc.xpath("//input[@type='submit' or @type='button']/@value"):
        out.append(str(value))
    return out


def no_arg_paths() -> list[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    out = set()
    for route in walk(get_resolver().url_patterns):
        if any(c in route for c in "<(^$"):
            continue
        path = "/" + route
        if not path.startswith(SKIP_PREFIXES):
            out.add(path)
    return sorted(out)


def shape_of(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return SHAPE_ID.sub("#", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    client: object
    role: str
    rules: Rules
    per_shape: int = 2
    max_pages: int = 220
    max_posts: int = 40
    seen: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    shapes: dict[str, int] = field(default_factory=dict)
    posted: set = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)

    def problem(self, path, kind, text):
        self.problems.append(Problem(self.role, path, kind, text))

    def run(self, start: list[str]) -> Crawl:
        queue: deque[tuple[str, str | None]] = deque((p, None) for p in start)
        while queue and len(self.seen) < self.max_pages:
            url, source = queue.popleft()
            url = urldefrag(url)[0]
            if url in self.seen:
                continue
            shape = shape_of(url)
            if source is not None and self.shapes.get(shape, 0) >= self.per_shape:
                continue
            self.shapes[shape] = self.shapes.get(shape, 0) + 1
            for link in self.visit(url, source):
                queue.append((link, url))
        return self

    # -- one GET ---------------------------------------------------------------------------
    def get(self, url):
        start = time.perf_counter()
        try:
            return self.client.get(url)
        except Exception as exc:  # a view's exception: the user would see a 500
            return exc
        finally:
            self.timings[url] = time.perf_counter() - start

    def visit(self, url: str, source: str | None) -> list[str]:
        resp = self.get(url)
        if isinstance(resp, Exception):
            self.seen[url] = 500
            self.problem(
                url,
                "服务器错误 500",
                f"{type(resp).__name__}: {str(resp)[:160]}"
                + (f"（来自 {source} 的链接）" if source else ""),
            )
            return []
        code = resp.status_code
        self.seen[url] = code
        if code >= 500:
            self.problem(url, f"服务器错误 {code}", f"来自 {source or '起始页'}")
            return []
        if code == 403 and source is not None:
            self.problem(url, "链接指向无权访问的页面 (403)", f"来自 {source} 的链接")
        if code in (301, 302, 303, 307, 308):
            target = urljoin(url, resp["Location"])
            return [target] if urlsplit(target).netloc in ("", "testserver") else []
        if code != 200 and code != 403 and code != 404:
            return []
        ctype = resp.get("Content-Type", "")
        if url.startswith(self.rules.exempt_paths):
            return []
        if ctype.startswith("text/html"):
            return self.check_html(url, resp)
        self.check_download(url, resp)
        return []

    # -- HTML pages ------------------------------------------------------------------------
    def check_html(self, url, resp) -> list[str]:
        body = resp.content.decode("utf-8", "replace")
        if not body.strip():
            return []
        doc = lxml_html.fromstring(body)
        links = []
        for href in doc.xpath("//a/@href"):
            links.extend(self.local(url, href))
        for form in doc.xpath("//form"):
            method = (form.get("method") or "get").lower()
            action = form.get("action") or url
            if method == "get":
                params = [
                    (i.get("name"), i.get("value") or "")
                    for i in form.xpath(".//input[@name]")
                    if (i.get("type") or "text") in ("hidden", "text", "search")
                ]
                for sel in form.xpath(".//select[@name]"):
                    opts = sel.xpath(".//option/@value")
                    if opts:
                        params.append((sel.get("name"), opts[-1]))
                q = urlencode([(k, v) for k, v in params if v])
                for link in self.local(url, action):
                    links.append(link.split("?")[0] + (("?" + q) if q else ""))
            else:
                self.check_post(url, form, action)
        seen_texts = set()
        for text in texts_of(doc, self.rules.exempt_classes):
            for kind, snippet in self.rules.check_text(text):
                if (kind, snippet) in seen_texts:
                    continue
                seen_texts.add((kind, snippet))
                self.problem(url, kind, snippet)
        return links

    def local(self, base: str, href: str) -> list[str]:
        href = (href or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return []
        full = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(full)
        if parts.scheme and parts.netloc not in ("", "testserver"):
            return []
        path = parts.path + (("?" + parts.query) if parts.query else "")
        if path.startswith(SKIP_PREFIXES):
            return []
        return [path]

    # -- buttons (POST forms) --------------------------------------------------------------
    def check_post(self, url, form, action):
        targets = self.local(url, action)
        if not targets or len(self.posted) >= self.max_posts:
            return
        target = targets[0]
        if target.startswith("/accounts/"):
            return
        shape = shape_of(target)
        if shape in self.posted:
            return
        self.posted.add(shape)
        data = {}
        for i in form.xpath(".//input[@name]"):
            if (i.get("type") or "text") in ("checkbox", "radio") and i.get("checked") is None:
                continue
            if (i.get("type") or "text") == "file":
                continue
            data[i.get("name")] = i.get("value") or ""
        for sel in form.xpath(".//select[@name]"):
            opts = sel.xpath(".//option[@selected]/@value") or sel.xpath(".//option/@value")
            if opts:
                data[sel.get("name")] = opts[0]
        for ta in form.xpath(".//textarea[@name]"):
            data[ta.get("name")] = ta.text or ""
        label = " ".join(" ".join(form.xpath(".//button//text()")).split())[:30]
        start = time.perf_counter()
        try:
            with transaction.atomic():
                resp = self.client.post(target, data)
                transaction.set_rollback(True)
        except Exception as exc:
            self.timings["POST " + target] = time.perf_counter() - start
            self.problem(
                target,
                "按钮导致服务器错误 500",
                f"「{label}」（{url}）{type(exc).__name__}: {str(exc)[:160]}",
            )
            return
        self.timings["POST " + target] = time.perf_counter() - start
        if resp.status_code >= 500:
            self.problem(target, f"按钮导致服务器错误 {resp.status_code}", f"「{label}」（{url}）")
        elif resp.status_code == 403:
            self.problem(target, "按钮指向无权操作 (403)", f"「{label}」（来自 {url}）")

    # -- downloads -------------------------------------------------------------------------
    def check_download(self, url, resp):
        ctype = resp.get("Content-Type", "")
        disposition = resp.get("Content-Disposition", "")
        if disposition:
            name = filename_of(disposition)
            if name and not self.rules.filename_must.search(name):
                self.problem(url, "下载文件名没有中文", name)
        content = b"".join(resp.streaming_content) if resp.streaming else resp.content
        if url.startswith(self.rules.exempt_download_text):
            return
        try:
            texts = document_texts(ctype, content)
        except Exception as exc:  # an unreadable file is a problem too
            self.problem(url, "下载文件无法打开", f"{ctype}: {type(exc).__name__}")
            return
        if self.rules.tech_heading:  # the 技术信息 appendix at the end of a report is exempt
            cut = next((i for i, t in enumerate(texts) if self.rules.tech_heading in t), None)
            texts = texts[:cut] if cut is not None else texts
        seen = set()
        for text in texts:
            for kind, snippet in self.rules.check_text(text):
                if (kind, snippet) not in seen:
                    seen.add((kind, snippet))
                    self.problem(url, f"下载文件 · {kind}", snippet)


def filename_of(disposition: str) -> str | None:
    from urllib.parse import unquote

    m = re.search(r"filename\*=UTF-8''([^;]+)", disposition, re.I)
    if m:
        return unquote(m.group(1))
    m = re.search(r'filename="?([^";]+)"?', disposition, re.I)
    return m.group(1) if m else None


def document_texts(ctype: str, content: bytes) -> list[str]:
    if "spreadsheetml" in ctype:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        out = []
        for ws in wb.worksheets:
            out.append(ws.title)
            for row in ws.iter_rows(max_row=200, values_only=True):
                out.extend(str(v) for v in row if isinstance(v, str) and v)
        return out
    if "wordprocessingml" in ctype:
        import docx

        d = docx.Document(io.BytesIO(content))
        out = [p.text for p in d.paragraphs if p.text]
        for t in d.tables:
            for row in t.rows:
                out.extend(c.text for c in row.cells if c.text)
        return out
    if "pdf" in ctype:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        return [
            line for page in reader.pages[:6] for line in (page.extract_text() or "").splitlines()
        ]
    return []
