"""A diagnosis as a document: the web page context, HTML, PDF (WeasyPrint) and DOCX (python-docx).

All formats show the same diagnosis dict (services.diagnose) and the same charts (charts.py).

PDF speed (issue 4): each thread keeps one WeasyPrint FontConfiguration and the parsed print
stylesheet (templates/diagnosis/print.css) for all its PDFs, the text is set in a subset of the
CJK font (fonts.py), and the cyclic garbage collector runs less often while rendering.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import gc
import io
import os
import shutil
import threading

from django.template.loader import render_to_string

from . import charts, fonts
from .figures import display

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "html": ("text/html; charset=utf-8", "html"),
}


def _peer_rows(d: dict) -> list[dict]:
    rows = []
    for m in d["peers"]["metrics"]:
        unit = m["unit"]
        rows.append(
            {
                **m,
                "value_display": display(m["value"], unit),
                "groups": [
                    {**m[g["key"]], "median_display": display(m[g["key"]]["median"], unit)}
                    for g in d["peers"]["groups"]
                ],
            }
        )
    return rows


CHART_SCHEME = "srdi-chart:"


def context(d: dict, mode: str, *, inline_images: bool = True) -> dict:
    """Template context. ``mode`` "web" (ECharts) or "print" (PNG charts): inline as data URIs
    (the self-contained HTML download), or with ``inline_images=False`` as ``srdi-chart:`` URLs
    that the PDF's URL fetcher serves from memory (WeasyPrint's HTML parser then does not read
    ~100 KB of base64 per report)."""
    data = charts.chart_data(d)
    ctx = {"d": d, "mode": mode, "chart_data": data, "peer_rows": _peer_rows(d)}
    if mode == "web":
        ctx["charts"] = {k: True for k, v in data.items() if v}
        ctx["echarts"] = charts.echarts_options(data)
        ctx["gaps_height"] = 80 + 40 * len((data.get("gaps") or {}).get("labels", []))
    else:
        pngs = charts.render_png(data)
        ctx["png"] = pngs
        ctx["charts"] = {
            k: (
                "data:image/png;base64," + base64.b64encode(v).decode("ascii")
                if inline_images
                else f"{CHART_SCHEME}{k}.png"
            )
            for k, v in pngs.items()
        }
    return ctx


def _chart_fetcher(pngs: dict[str, bytes]):
    """A WeasyPrint URL fetcher that serves this report's charts and nothing else: a PDF never
    reads a file or the network, whatever the data in the report says."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ChartFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(CHART_SCHEME):
                key = url[len(CHART_SCHEME) :].removesuffix(".png")
                if key in pngs:
                    return URLFetcherResponse(
                        url, body=pngs[key], headers={"Content-Type": "image/png"}
                    )
            raise ValueError(f"报告不读取外部资源：{url[:80]}")

    return ChartFetcher()


def css_text(pdf: bool = False) -> str:
    """The print stylesheet; for PDFs with the @font-face rules of the font subset (the HTML
    download names the system fonts only: it leaves this machine)."""
    fams = fonts.families(subset=pdf)
    return render_to_string(
        "diagnosis/print.css",
        {
            "font_family": ", ".join(f'"{f}"' if " " in f else f for f in fams),
            "font_faces": fonts.font_face_css() if pdf else "",
        },
    )


def to_html(d: dict, ctx: dict | None = None, *, inline_css: bool = True) -> str:
    """A self-contained HTML document (charts as inline images, the stylesheet inline).

    With ``inline_css=False``: the PDF's source, styled by :func:`_weasy`'s parsed stylesheet.
    """
    ctx = dict(ctx or context(d, "print"))
    ctx["inline_css"] = inline_css
    if inline_css:
        ctx["print_css"] = css_text()
    return render_to_string("diagnosis/print.html", ctx)


_local = threading.local()
_STATES: list[tuple] = []  # every (pid, FontConfiguration, CSS) made; a fork inherits the list


def _weasy():
    """(FontConfiguration, parsed print stylesheet) of this thread, made once and reused.

    A FontConfiguration is WeasyPrint's Pango font map: reusing it keeps Pango's fonts, glyph
    metrics and shaping caches warm from one document to the next. It is not shared between
    threads (Pango font maps are not thread-safe). A forked process makes its own and keeps the
    inherited one alive: freeing it would delete the parent's temporary font folder.
    """
    state = getattr(_local, "weasy", None)
    if state is None or state[0] != os.getpid():
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(string=css_text(pdf=True), font_config=font_config)
        state = _local.weasy = (os.getpid(), font_config, css)
        if not _STATES or all(st[0] != os.getpid() for st in _STATES):
            _register_cleanup()
        _STATES.append(state)
    return state[1], state[2]


def _register_cleanup() -> None:
    """Remove this process's temporary font folders when it ends.

    WeasyPrint copies the @font-face fonts into a temporary folder per FontConfiguration and
    deletes it when the object is freed, which a kept one never is: at exit (atexit), also in a
    forked multiprocessing worker, which skips atexit (multiprocessing's own finalizers).
    """
    from multiprocessing import util

    atexit.register(_cleanup_states)
    util.Finalize(None, _cleanup_states, exitpriority=0)


def _cleanup_states() -> None:
    pid = os.getpid()
    for _, font_config, _ in [st for st in _STATES if st[0] == pid]:
        folder, font_config._folder = font_config._folder, None  # __del__ has nothing to do
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    _STATES[:] = [st for st in _STATES if st[0] != pid]  # the parent's stay untouched
    _local.__dict__.pop("weasy", None)


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None
GC_YOUNG_THRESHOLD = 50_000


def _new_gc_lock_after_fork() -> None:
    # a batch forks render workers; another thread may hold the lock at that moment
    global _gc_lock
    _gc_lock = threading.Lock()


os.register_at_fork(after_in_child=_new_gc_lock_after_fork)


@contextlib.contextmanager
def fewer_gc_passes():
    """Raise the cyclic GC's young-generation threshold while a report renders.

    WeasyPrint allocates about a million short-lived objects per report; with Python's default
    threshold (700) the collector runs some 1,500 times per report and its full passes traverse
    every long-lived object of the process (Django, templates, fonts: ~200,000). Reference
    counting frees nearly all of WeasyPrint's objects anyway. Measured: −15–20 % CPU per PDF.
    The previous thresholds come back when the last concurrent render ends.
    """
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(GC_YOUNG_THRESHOLD, _gc_saved[0]), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


def to_pdf(d: dict, ctx: dict | None = None) -> bytes:
    from weasyprint import HTML

    with fewer_gc_passes():
        ctx = dict(ctx or context(d, "print", inline_images=False))
        pngs = ctx.get("png") or {}
        ctx["charts"] = {k: f"{CHART_SCHEME}{k}.png" for k in pngs}
        font_config, css = _weasy()
        html = HTML(string=to_html(d, ctx, inline_css=False), url_fetcher=_chart_fetcher(pngs))
        return html.write_pdf(stylesheets=[css], font_config=font_config)


def render(d: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(d)
    if fmt == "html":
        return to_html(d).encode("utf-8")
    if fmt == "docx":
        return to_docx(d)
    raise ValueError(f"不支持的格式“{fmt}”，可选：pdf、docx、html")


def filename(d: dict, fmt: str) -> str:
    name = "".join(
        "_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in d["enterprise"]["name"]
    )
    return f"诊断报告_{d['enterprise']['uscc']}_{name}_{d['as_of']}.{FORMATS[fmt][1]}"


# --- DOCX -----------------------------------------------------------------------------------

FONT = "Noto Sans CJK SC"


def _font(run, size=None, bold=None, color=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _para(doc, text, size=10.5, bold=False, color=None, align=None, style=None):
    p = doc.add_paragraph(style=style)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), size, bold, color)
    return p


def _heading(doc, text, level=1):
    h = doc.add_heading(level=level)
    _font(h.add_run(text), 14 if level == 1 else 12, True, "B3261E" if level == 1 else "1F2328")
    return h


def _table(doc, header: list[str], rows: list[list], widths=None):
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for i, h in enumerate(header):
        cell = t.rows[0].cells[i]
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(h)), 9, True)
    for r in rows:
        cells = t.add_row().cells
        for i, v in enumerate(r):
            cells[i].text = ""
            _font(cells[i].paragraphs[0].add_run("" if v is None else str(v)), 9)
    return t


def _page_number_footer(section, d):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(f"{d['issuer']} · {d['enterprise']['name']} · 第 "), 8)
    run = p.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(run, 8)
    _font(p.add_run(" 页"), 8)


def to_docx(d: dict, ctx: dict | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    ctx = ctx or context(d, "print")
    pngs = ctx["png"]
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    from docx.oxml.ns import qn

    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    sec = doc.sections[0]
    sec.left_margin = sec.right_margin = Cm(2)

    # cover
    for _ in range(4):
        doc.add_paragraph()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, d["issuer"], 20, True, "B3261E", center)
    doc.add_paragraph()
    _para(doc, d["report_title"], 24, True, None, center)
    _para(doc, d["enterprise"]["name"], 16, False, None, center)
    for _ in range(3):
        doc.add_paragraph()
    for label, value in (
        ("统一社会信用代码", d["enterprise"]["uscc"]),
        ("评估基准日", d["as_of"]),
        ("数据截至", d["data_as_of"]),
        ("报告日期", d["generated_at"]),
    ):
        _para(doc, f"{label}：{value}", 10.5, False, None, center)
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    body.footer.is_linked_to_previous = False
    _page_number_footer(body, d)

    e = d["enterprise"]
    if e["is_synthetic"]:
        _para(doc, "本报告基于演示数据（合成），不代表真实企业情况。", 9, True, "9A6700")
    _heading(doc, "一、企业基本情况与称号")
    _table(
        doc,
        ["项目", "内容"],
        [
            ["企业名称", e["name"]],
            ["统一社会信用代码", e["uscc"]],
            ["所属板块", e["region"] or "—"],
            ["国民经济行业", f"{e['industry_code']} {e['industry_name']}".strip() or "—"],
            ["主导产品", e["main_product"] or "—"],
            ["评估基准日", d["as_of"] + ("（复核）" if d["review"] else "")],
            ["数据截至", d["data_as_of"]],
        ],
    )
    _heading(doc, "已获称号及有效期", 2)
    if d["titles"]:
        _table(
            doc,
            ["称号", "级别", "批次", "认定日期", "有效期至", "状态"],
            [
                [
                    t["tier_label"],
                    t["level_label"],
                    t["batch"] or "—",
                    t["granted"],
                    t["valid_until"],
                    f"{t['status_label']}，{t['validity_text']}",
                ]
                for t in d["titles"]
            ],  # fmt: skip
        )
    else:
        _para(doc, "平台中暂无该企业的称号记录。", 9.5)

    _heading(doc, "二、认定标准评估结论")
    _table(
        doc,
        ["认定标准", "结论", "得分", "及格分", "说明"],
        [
            [
                s["title"] + (f"（{s['verify_label']}）" if s["verify_label"] else ""),
                s["outcome_label"],
                "—" if s["score"] is None else s["score"],
                "—" if s["pass_score"] is None else s["pass_score"],
                (f"企业规模：{s['size_label']}" if s["size_label"] else "")
                + ("缺少：" + "、".join(s["missing_labels"]) if s["missing_labels"] else ""),
            ]
            for s in d["standards"]
        ],
    )
    for n, s in enumerate(d["standards"], 1):
        score = f"，得分 {s['score']} / 及格 {s['pass_score']}" if s["score"] is not None else ""
        _heading(doc, f"{n}. {s['title']}：{s['outcome_label']}{score}", 2)
        _para(doc, s["document"], 8, False, "6A737D")
        if s["conditions"]:
            _table(doc, ["条件", "类别", "判定", "说明"],
                   [[c["label"], c["role_label"], c["met_label"], c["text_zh"]] for c in s["conditions"]])  # fmt: skip
        if s["indicators"]:
            _table(
                doc,
                ["维度", "指标", "数值", "档次", "得分/满分", "说明"],
                [
                    [
                        i["dimension"],
                        i["label"],
                        i["value_display"],
                        f"{i['band'] or ''} {i['band_text'] or ''}".strip(),
                        f"{'—' if i['points'] is None else i['points']} / {i['max']}",
                        i["text_zh"],
                    ]
                    for i in s["indicators"]
                ],  # fmt: skip
            )
        if s["gaps"]:
            _para(doc, "差距：" + "；".join(g["text"] for g in s["gaps"] if g["text"]), 9)

    _heading(doc, "三、锻长板与补短板")
    _heading(doc, "锻长板（优势）", 2)
    for x in d["strengths"] or [{"text": "暂无达到最高档且领先同行的指标。"}]:
        _para(doc, x["text"], 10, style="List Number" if d["strengths"] else None)
    _heading(doc, "补短板（短板）", 2)
    for x in d["weaknesses"] or [{"text": "各项指标均已达到最高档。"}]:
        _para(doc, x["text"], 10, style="List Number" if d["weaknesses"] else None)

    _heading(doc, "四、梯度进阶与差距清单")
    nt = d["next_tier"]
    if nt:
        cur = (
            f"当前可达梯度：{nt['current_label']}。"
            if nt["current_label"]
            else "当前尚未达到任一梯度的认定标准。"
        )
        nxt = (
            f"最近的下一梯度：{nt['next_label']}（{nt['standard_title']}）。"
            if nt["next_label"]
            else "已达到最高梯度的认定标准。"
        )
        _para(doc, cur + nxt)
        _table(doc, ["梯度", "认定标准", "结论", "得分"],
               [[s["tier_label"], s["standard_title"], s["outcome_label"],
                 "—" if s["score"] is None else f"{s['score']} / {s['pass_score']}"] for s in nt["ladder"]])  # fmt: skip
        if nt["plan"]:
            _heading(doc, f"迈向{nt['next_label']}的差距清单", 2)
            _table(doc, ["事项", "指标", "当前", "目标", "说明"],
                   [[g["item"], g["what"], g["from"], g["to"], g["text"]] for g in nt["plan"]])  # fmt: skip
    if "gaps" in pngs:
        doc.add_picture(io.BytesIO(pngs["gaps"]), width=Cm(15))

    _heading(doc, "五、同行对标")
    if "radar" in pngs:
        doc.add_picture(io.BytesIO(pngs["radar"]), width=Cm(11))
    groups = d["peers"]["groups"]
    header = ["指标（上年度）", "本企业"]
    for g in groups:
        header += [f"{g['label']}中位数", "百分位"]
    rows = []
    for m in ctx["peer_rows"]:
        row = [m["label"] + ("（越低越好）" if m["better"] == "lower" else ""), m["value_display"]]
        for g in m["groups"]:
            pct = (
                f"优于 {g['percentile']:.0f}%"
                if g["percentile"] is not None
                else f"同行不足（{g['peers']}家）"
            )
            row += [g["median_display"], pct]
        rows.append(row)
    _table(doc, header, rows)

    _heading(doc, "六、近五年关键指标趋势")
    t = d["trend"]
    _table(
        doc,
        ["指标", *[str(y) for y in t["years"]]],
        [[s["label"], *s["display"]] for s in t["series"]],
    )
    if "trend" in pngs:
        doc.add_picture(io.BytesIO(pngs["trend"]), width=Cm(15))

    _heading(doc, "七、数据质量提示")
    kinds = {"missing": "缺失", "jump": "突变", "implausible": "存疑"}
    for w in d["warnings"] or [{"kind": None, "message": "未发现缺失或明显异常的数据。"}]:
        prefix = f"【{kinds[w['kind']]}】" if w["kind"] else ""
        _para(doc, prefix + w["message"], 9.5)

    for sec_ in d["sections"]:
        _heading(doc, sec_["title"])
        for ptxt in sec_["paragraphs"]:
            _para(doc, ptxt)
        if sec_["rows"]:
            _table(doc, sec_["columns"] or [""] * len(sec_["rows"][0]), sec_["rows"])

    _heading(doc, "附：技术信息（所用认定标准规则文件）")
    _table(doc, ["标准", "文件依据", "规则版本"],
           [[r["id"], r["document"] + (f"（{r['verify_label']}）" if r["verify_label"] else ""), r["version"]]
            for r in d["rule_versions"]])  # fmt: skip
    _para(
        doc,
        f"本报告由平台依据上述规则文件自动生成（{d['generated_at']}），结论以主管部门正式认定为准。",
        8,
        color="6A737D",
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
