"""The PDF fast path: reused WeasyPrint state, the CJK font subset, the relaxed GC, forked workers."""

from __future__ import annotations

import gc
import io
import threading

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from srdi.diagnosis import fonts, render, services

from .factories import example_profiles, store_profiles
from .test_reports import AS_OF, JINGGONG, NAME, pdf_text


@pytest.fixture
def examples(db):
    return store_profiles(example_profiles())


def embedded_fonts(data: bytes) -> dict[str, bytes]:
    """BaseFont name → embedded font program, for every font of the PDF."""
    out = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            key = next(k for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in desc)
            out[str(font["/BaseFont"])] = desc[key].get_object().get_data()
    return out


@pytest.fixture
def subset():
    paths = fonts.subset_fonts()
    if paths is None:
        pytest.skip("no Noto Sans CJK on this machine")
    return paths


def test_two_documents_share_fonts_and_stylesheet_each_with_its_own_content(examples):
    first = render.render(services.diagnose(examples[0], AS_OF), "pdf")
    state = render._weasy()
    second = render.render(services.diagnose(examples[1], AS_OF), "pdf")
    assert render._weasy() is not None and render._weasy()[0] is state[0]  # reused, not rebuilt
    assert render._weasy()[1] is state[1]
    t1, t2 = pdf_text(first), pdf_text(second)
    assert NAME in t1 and examples[1].name not in t1
    assert examples[1].name in t2 and NAME not in t2
    for text in (t1, t2):  # page numbers and the cover of each document
        assert "第 2 页 / 共" in text and "常熟市工业和信息化局" in text


def test_another_thread_has_its_own_font_configuration(examples):
    d = services.diagnose(examples[0], AS_OF)
    render.render(d, "pdf")
    mine = render._weasy()[0]
    seen = {}

    def work():
        seen["text"] = pdf_text(render.render(d, "pdf"))
        seen["fc"] = render._weasy()[0]

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert NAME in seen["text"] and seen["fc"] is not mine


def test_pdf_embeds_the_small_subset_with_glyph_ids_as_cids(examples, subset):
    data = render.render(services.diagnose(examples[0], AS_OF), "pdf")
    embedded = embedded_fonts(data)
    names = sorted(embedded)
    assert names and all("SRDI-Noto-Sans-SC" in n for n in names), names  # no fallback needed
    for program in embedded.values():
        font = TTFont(io.BytesIO(program))
        top = font["CFF "].cff.topDictIndex[0]
        # a viewer finds glyph n under CID n: without that the CJK text is blank on screen
        assert all(name == f"cid{i:05d}" for i, name in enumerate(top.charset) if i)
        assert len(top.charset) < 9000  # ids of the subset, not of the 65,535-glyph collection
    assert len(data) < 400_000


def test_a_character_outside_the_subset_falls_back_to_the_system_font(examples, subset):
    rare = "堃"  # not in GB 2312: a real enterprise name may carry it
    assert ord(rare) not in fonts.charset()
    d = services.diagnose(examples[0], AS_OF)
    d["enterprise"]["name"] = f"常熟市{rare}达机械有限公司"
    data = render.render(d, "pdf")
    assert f"常熟市{rare}达机械有限公司" in pdf_text(data)
    names = embedded_fonts(data)
    assert any("SRDI-Noto-Sans-SC" in n for n in names)
    assert any("Noto-Sans-CJK-SC" in n for n in names)  # the full font, for 堃 alone


def test_subset_font_is_simplified_chinese_and_keeps_its_name(subset):
    assert set(subset) == {"normal", "bold"}
    font = TTFont(str(subset["normal"]))
    cmap = font.getBestCmap()
    for ch in "得分及格数据截至第页共—“”（）：；≥≤→×·Ⅰ%":
        assert ord(ch) in cmap, ch
    assert font["name"].getDebugName(1) == fonts.SUBSET_FAMILY
    # the SC face: 骨 (U+9AA8) maps to another glyph in the SC face than in the JP face
    src = fonts.SOURCES["normal"]
    full_sc = TTFont(str(src), fontNumber=fonts._face_index(src, fonts.SYSTEM_FAMILY), lazy=True)
    full_jp = TTFont(str(src), fontNumber=0, lazy=True)
    assert full_sc.getBestCmap()[0x9AA8] != full_jp.getBestCmap()[0x9AA8]
    sub_cid = int(cmap[0x9AA8][3:])
    sc_glyph = full_sc["CFF "].cff.topDictIndex[0].CharStrings[full_sc.getBestCmap()[0x9AA8]]
    sub_glyph = font["CFF "].cff.topDictIndex[0].CharStrings[f"cid{sub_cid:05d}"]
    sc_glyph.decompile()
    sub_glyph.decompile()
    assert sub_glyph.calcBounds(None) == sc_glyph.calcBounds(None)  # same outline as the SC face


def test_html_download_keeps_its_stylesheet_and_names_no_local_font_files(examples):
    html = render.render(services.diagnose(examples[0], AS_OF), "html").decode("utf-8")
    assert "<style>" in html and "@page" in html and "counter(pages)" in html
    assert "file://" not in html and fonts.SUBSET_FAMILY not in html
    assert '"Noto Sans CJK SC"' in html


def test_fewer_gc_passes_restores_the_thresholds_even_nested():
    before = gc.get_threshold()
    with render.fewer_gc_passes():
        assert gc.get_threshold()[0] >= render.GC_YOUNG_THRESHOLD
        with render.fewer_gc_passes():
            assert gc.get_threshold()[0] >= render.GC_YOUNG_THRESHOLD
        assert gc.get_threshold()[0] >= render.GC_YOUNG_THRESHOLD
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), render.fewer_gc_passes():
        raise RuntimeError
    assert gc.get_threshold() == before


def test_forked_workers_leave_the_parents_fonts_alone(examples):
    """The parent rendered before forking: its children make their own WeasyPrint state, and
    the parent still renders afterwards (its temporary font folder was not deleted)."""
    from srdi.diagnosis.batch import ZipSink, run_batch
    from srdi.registry.models import Enterprise

    d = services.diagnose(examples[0], AS_OF)
    render.render(d, "pdf")
    sink = ZipSink()
    result = run_batch(
        Enterprise.objects.filter(region__name="梅李镇"), "pdf", AS_OF, sink=sink, workers=2
    )
    assert len(result.done) == result.total >= 2 and not result.failed
    sink.close(result)
    again = render.render(d, "pdf")
    assert NAME in pdf_text(again)
    assert JINGGONG in render.filename(d, "pdf")


def test_batch_renders_in_one_process_per_core_unless_told(monkeypatch):
    import os

    from srdi.diagnosis import batch

    cores = len(os.sched_getaffinity(0))
    monkeypatch.setattr(batch, "settings", lambda: {"batch_workers": 0})
    assert batch.worker_count() == cores
    assert batch.worker_count(3) == 3
    monkeypatch.setattr(batch, "settings", lambda: {"batch_workers": 1})
    assert batch.worker_count() == 1


def test_kept_chart_figures_draw_what_new_ones_draw(examples):
    """Charts reuse one figure per shape; each report's pixels equal those of a new figure."""
    import copy

    from srdi.diagnosis import charts

    datas = [charts.chart_data(services.diagnose(e, AS_OF)) for e in examples]
    edge = copy.deepcopy(next(d for d in datas if d["trend"] and d["radar"]))
    for s in edge["trend"]["ratios"]:  # a right axis without data
        s["values"] = [None] * len(s["values"])
    edge["radar"]["peer"] = [None] * len(edge["radar"]["peer"])  # no peer line, no legend entry
    datas.append(edge)
    assert sum(1 for d in datas for v in d.values() if v) >= 2 * len(examples)
    kept = [charts.render_png(d) for d in datas] + [charts.render_png(d) for d in datas]
    new = []
    for d in datas:
        charts.clear_figures()
        new.append(charts.render_png(d))
    assert kept[: len(datas)] == new and kept[len(datas) :] == new


def test_batch_workers_remove_their_temporary_font_folders(examples, tmp_path, monkeypatch):
    """WeasyPrint copies the @font-face fonts into a temporary folder per FontConfiguration; the
    kept ones are removed when a forked worker ends (it skips atexit)."""
    import tempfile

    from srdi.diagnosis.batch import ZipSink, run_batch
    from srdi.registry.models import Enterprise

    render._weasy()  # the parent's own, made before: not in the watched folder
    watched = tmp_path / "tmp"
    watched.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(watched))
    sink = ZipSink()
    result = run_batch(
        Enterprise.objects.filter(region__name="梅李镇"), "pdf", AS_OF, sink=sink, workers=2
    )
    assert len(result.done) == result.total >= 2
    assert NAME in pdf_text(render.render(services.diagnose(examples[0], AS_OF), "pdf"))
    leftovers = [p.name for p in watched.iterdir()]
    if fonts.subset_fonts() is not None:  # without the subset there is no @font-face folder
        assert leftovers == [], leftovers


def test_cli_prepares_the_font_subset_for_install_scripts(monkeypatch, subset):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("report", prepare_fonts=True, stdout=out)
    assert "字体子集已就绪" in out.getvalue() and str(subset["bold"]) in out.getvalue()
    monkeypatch.setattr(fonts, "subset_fonts", lambda: None)
    with pytest.raises(CommandError, match="无法生成字体子集"):
        call_command("report", prepare_fonts=True)


@pytest.mark.parametrize("where", ["charts._FIGURES_LOCK", "render._gc_lock"])
def test_a_forked_worker_gets_fresh_locks(where):
    """Forked while another thread holds a lock (drawing a chart, setting GC thresholds): the
    worker's copy would stay locked for ever; it gets a new lock."""
    import os

    from srdi.diagnosis import charts

    module, name = where.split(".")
    lock = getattr({"charts": charts, "render": render}[module], name)
    held, release = threading.Event(), threading.Event()

    def hold():
        with lock:
            held.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    try:
        pid = os.fork()
        if pid == 0:  # the worker
            fresh = getattr({"charts": charts, "render": render}[module], name)
            os._exit(0 if fresh.acquire(timeout=5) else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        t.join()
    assert os.waitstatus_to_exitcode(status) == 0


def test_pdf_charts_come_from_memory_and_nothing_else_is_fetched(examples):
    """The PDF's charts are served by the report's own URL fetcher (no base64 for the HTML
    parser); any other URL — a file, the network — is refused."""
    d = services.diagnose(examples[0], AS_OF)
    ctx = render.context(d, "print", inline_images=False)
    assert set(ctx["charts"].values()) == {f"srdi-chart:{k}.png" for k in ctx["png"]}
    pdf = render.to_pdf(d, ctx)
    images = {
        x.idnum
        for page in PdfReader(io.BytesIO(pdf)).pages
        for x in (page["/Resources"].get("/XObject") or {}).values()
        if x.get_object().get("/Subtype") == "/Image"
    }
    assert len(images) == len(ctx["png"]) >= 2  # every chart embedded (shared by the pages)
    fetch = render._chart_fetcher(ctx["png"])
    key = next(iter(ctx["png"]))
    assert fetch.fetch(f"srdi-chart:{key}.png").read() == ctx["png"][key]
    for url in ("file:///etc/passwd", "http://127.0.0.1:8000/", "srdi-chart:nope.png"):
        with pytest.raises(ValueError, match="不读取外部资源"):
            fetch.fetch(url)
    # the HTML download stays self-contained
    assert "data:image/png;base64," in render.to_html(d)
