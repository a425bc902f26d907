"""The report's three charts, from one set of data, in two renderings.

* :func:`chart_data` — radar (four dimensions vs the pass line and the peer median), trend
  lines, gap-plan bars — plain data from the diagnosis dict;
* :func:`echarts_options` — ECharts options for the web page (vendored echarts.min.js);
* :func:`render_png` — the same charts server-side with matplotlib (Agg) and the CJK font,
  for the PDF and the DOCX.
"""

from __future__ import annotations

import io
import math
import os
import threading
from functools import lru_cache

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DPI = 110
COLORS = {"own": "#b3261e", "pass": "#1a7f37", "peer": "#0b57d0", "grey": "#6a737d"}


def chart_data(d: dict) -> dict:
    out: dict = {"radar": None, "trend": None, "gaps": None}
    r = d.get("radar")
    if r and len(r["dimensions"]) >= 3:
        dims = r["dimensions"]
        out["radar"] = {
            "title": f"{r['title']}：各维度得分",
            "names": [x["name"] for x in dims],
            "max": [x["max"] for x in dims],
            "own": [x["points"] for x in dims],
            "pass": [x["pass_line"] for x in dims],
            "peer": [
                x["peer_median"] if x["peer_median"] is not None else x.get("peer_median_region")
                for x in dims
            ],
            "pass_basis": dims[0]["pass_basis"] if dims else "",
        }
    t = d.get("trend")
    if t and any(v is not None for s in t["series"] for v in s["values"]):
        out["trend"] = {
            "years": [str(y) for y in t["years"]],
            "money": [s for s in t["series"] if s["unit"] != "%"],
            "ratios": [s for s in t["series"] if s["unit"] == "%"],
        }
    nxt = d.get("next_tier") or {}
    bars = [
        row for row in nxt.get("plan") or []
        if row.get("to_num") not in (None, 0) and row.get("from_num") is not None
    ]  # fmt: skip
    if bars:
        out["gaps"] = {
            "title": f"迈向{nxt.get('next_label') or '下一梯度'}：差距（当前值占目标值的百分比）",
            "labels": [b["what"] for b in bars],
            "completion": [round(min(200.0, b["from_num"] * 100.0 / b["to_num"]), 1) for b in bars],
            "text": [f"{b['from']} → {b['to']}" for b in bars],
        }
    return out


def echarts_options(data: dict) -> dict:
    """ECharts options (JSON-ready) for each chart present."""
    opts: dict = {}
    r = data.get("radar")
    if r:
        series = [
            {
                "name": "企业得分",
                "value": r["own"],
                "itemStyle": {"color": COLORS["own"]},
                "areaStyle": {"opacity": 0.2},
            },
            {
                "name": "及格线",
                "value": r["pass"],
                "itemStyle": {"color": COLORS["pass"]},
                "lineStyle": {"type": "dashed"},
            },
        ]
        if any(v is not None for v in r["peer"]):
            series.append({"name": "同行中位数", "value": [v if v is not None else 0 for v in r["peer"]],
                           "itemStyle": {"color": COLORS["peer"]}, "lineStyle": {"type": "dotted"}})  # fmt: skip
        opts["radar"] = {
            "tooltip": {},
            "legend": {"bottom": 0},
            "radar": {
                "indicator": [
                    {"name": n, "max": m} for n, m in zip(r["names"], r["max"], strict=True)
                ]
            },
            "series": [{"type": "radar", "data": series}],
        }
    t = data.get("trend")
    if t:
        opts["trend"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0},
            "xAxis": {"type": "category", "data": t["years"]},
            "yAxis": [
                {"type": "value", "name": "万元"},
                {"type": "value", "name": "%", "position": "right"},
            ],
            "series": [
                {"name": s["label"], "type": "bar", "yAxisIndex": 0, "data": s["values"]}
                for s in t["money"]
            ]
            + [
                {
                    "name": s["label"],
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": s["values"],
                    "connectNulls": False,
                }
                for s in t["ratios"]
            ],
        }
    g = data.get("gaps")
    if g:
        opts["gaps"] = {
            "tooltip": {},
            "grid": {"left": 180},
            "xAxis": {"type": "value", "name": "%", "max": max(100, max(g["completion"]))},
            "yAxis": {"type": "category", "data": g["labels"]},
            "series": [
                {
                    "type": "bar",
                    "data": g["completion"],
                    "itemStyle": {"color": COLORS["own"]},
                    "label": {"show": True, "position": "right", "formatter": "{c}%"},
                    "markLine": {
                        "symbol": "none",
                        "data": [{"xAxis": 100}],
                        "label": {"formatter": "目标"},
                        "lineStyle": {"color": COLORS["pass"], "type": "dashed"},
                    },
                }
            ],
        }
    return opts


# --- matplotlib ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _mpl():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    from . import fonts

    names = []
    subset = fonts.subset_fonts()  # Simplified Chinese glyph forms (face 0 of the TTC is JP)
    for path in ([str(subset["normal"])] if subset else []) + [CJK_FONT]:
        try:
            font_manager.fontManager.addfont(path)
            names.append(font_manager.FontProperties(fname=path).get_name())
        except (OSError, RuntimeError):  # pragma: no cover - font missing: Latin only
            pass
    # matplotlib falls back along the list glyph by glyph (characters outside the subset)
    matplotlib.rcParams["font.family"] = [*names, "sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["font.size"] = 9
    return matplotlib


def _png(fig) -> bytes:
    """The figure as an RGB PNG (opaque white background: no alpha channel for the PDF to split)."""
    from PIL import Image

    fig.canvas.draw()  # fixed margins: no second "tight" pass
    rgba = fig.canvas.buffer_rgba()
    img = Image.frombuffer(
        "RGBA", (int(rgba.shape[1]), int(rgba.shape[0])), rgba, "raw", "RGBA", 0, 1
    )
    buf = io.BytesIO()
    # the PDF re-compresses the pixels anyway; zlib level 1 costs half of the default 6
    img.convert("RGB").save(buf, format="PNG", dpi=(DPI, DPI), compress_level=1)
    return buf.getvalue()


# Each chart is a figure built once per shape (number of dimensions, years, bars) and kept: a
# report only sets its data and draws. Building axes, ticks and legends is most of matplotlib's
# time; the drawing of a kept figure is the same as of a new one (tests compare the pixels).


def _figure(width: float, height: float):
    """A figure of its own (not one of pyplot's: kept ones would pile up there)."""
    _mpl()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


class _Radar:
    """Four (or n) dimensions: the enterprise's points, the pass line, the peer median."""

    def __init__(self, n: int):
        self.angles = [i * 2 * math.pi / n for i in range(n)] + [0.0]
        zeros = [0.0] * (n + 1)
        self.fig = fig = _figure(4.6, 4.0)
        self.ax = ax = fig.add_axes((0.17, 0.17, 0.66, 0.70), polar=True)
        (self.own,) = ax.plot(
            self.angles, zeros, color=COLORS["own"], linewidth=2, label="企业得分"
        )
        (self.own_fill,) = ax.fill(self.angles, zeros, color=COLORS["own"], alpha=0.15)
        (self.pass_,) = ax.plot(
            self.angles, zeros, color=COLORS["pass"], linestyle="--", label="及格线"
        )
        (self.peer,) = ax.plot(
            self.angles, zeros, color=COLORS["peer"], linestyle=":", label="同行中位数"
        )
        ax.set_xticks(self.angles[:-1])
        ax.set_ylim(0, 100)
        ax.set_yticks([25, 50, 75, 100])
        ax.set_yticklabels(["25%", "50%", "75%", "100%"], fontsize=7, color=COLORS["grey"])
        legend = {"loc": "lower center", "ncol": 3, "fontsize": 8, "frameon": False}
        self.legend_peer = fig.legend(
            [self.own, self.pass_, self.peer], ["企业得分", "及格线", "同行中位数"], **legend
        )
        self.legend_no_peer = fig.legend([self.own, self.pass_], ["企业得分", "及格线"], **legend)

    def png(self, r: dict) -> bytes:
        def norm(values):
            vals = [
                0.0 if v is None else float(v) * 100.0 / m
                for v, m in zip(values, r["max"], strict=True)
            ]
            return vals + vals[:1]

        own = norm(r["own"])
        self.own.set_data(self.angles, own)
        self.own_fill.set_xy(list(zip(self.angles, own, strict=True)))
        self.pass_.set_data(self.angles, norm(r["pass"]))
        has_peer = any(v is not None for v in r["peer"])
        self.peer.set_data(self.angles, norm(r["peer"]))
        self.peer.set_visible(has_peer)
        self.legend_peer.set_visible(has_peer)
        self.legend_no_peer.set_visible(not has_peer)
        self.ax.set_xticklabels(
            [f"{nm}\n(满分{m:g})" for nm, m in zip(r["names"], r["max"], strict=True)]
        )
        return _png(self.fig)


class _Trend:
    """Bars of the money figures (万元, left axis), lines of the ratios (%, right axis)."""

    def __init__(self, years: int, money: tuple[str, ...], ratios: tuple[str, ...]):
        self.fig = _figure(6.4, 3.2)
        ax1 = self.fig.subplots()
        self.fig.subplots_adjust(left=0.12, right=0.9, top=0.95, bottom=0.3)
        self.x = x = list(range(years))
        self.bars = [
            ax1.bar(x, [0] * years, color="#e8b4b0", label=f"{label}（万元）") for label in money
        ]
        ax1.set_xticks(x)
        ax1.set_ylabel("万元")
        ax2 = ax1.twinx()
        self.lines = [
            ax2.plot([], [], marker="o", linewidth=1.5, label=label)[0] for label in ratios
        ]
        ax2.set_ylabel("%")
        h1, l1 = ax1.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        self.fig.legend(h1 + h2, l1 + l2, loc="lower center", ncol=3, fontsize=7, frameon=False)
        self.ax1, self.ax2 = ax1, ax2

    def png(self, t: dict) -> bytes:
        self.ax1.set_xticklabels(t["years"])
        for bars, s in zip(self.bars, t["money"], strict=True):
            for rect, v in zip(bars.patches, s["values"], strict=True):
                rect.set_height(v or 0)
        for line, s in zip(self.lines, t["ratios"], strict=True):
            line.set_data(
                [i for i, v in zip(self.x, s["values"], strict=True) if v is not None],
                [v for v in s["values"] if v is not None],
            )
        for ax in (self.ax1, self.ax2):
            ax.relim()
            ax.autoscale_view()
        return _png(self.fig)


GAP_LABEL_CHARS = 14  # characters per line of a gap bar's label (the left margin is 36 %)


def _wrap(text: str, width: int) -> str:
    """Break a (Chinese) label into lines of ``width`` characters at most."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) or text


class _Gaps:
    """Horizontal bars: the current value as a percentage of the next tier's target."""

    def __init__(self, n: int):
        height = 0.9 + 0.45 * n
        self.fig = _figure(6.4, height)
        ax = self.fig.subplots()
        self.fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.15 / height, bottom=0.55 / height)
        y = list(range(n))
        self.bars = ax.barh(y, [1.0] * n, color=COLORS["own"])
        ax.axvline(100, color=COLORS["pass"], linestyle="--")
        ax.set_yticks(y)
        ax.invert_yaxis()
        ax.set_xlabel("当前值占目标值的百分比（%）")
        self.texts = [ax.text(0, yi, "", va="center", fontsize=7) for yi in y]
        self.ax = ax

    def png(self, g: dict) -> bytes:
        for rect, v in zip(self.bars.patches, g["completion"], strict=True):
            rect.set_width(v)
        self.ax.set_yticklabels([_wrap(label, GAP_LABEL_CHARS) for label in g["labels"]])
        for yi, (label, v, txt) in enumerate(
            zip(self.texts, g["completion"], g["text"], strict=True)
        ):
            label.set_position((max(v, 0) + 1, yi))  # a negative value: its text beside the axis
            label.set_text(txt)
        self.ax.set_xlim(0, max(130, max(g["completion"]) + 30))
        return _png(self.fig)


_FIGURES: dict[tuple, object] = {}
_FIGURES_LOCK = threading.Lock()  # the kept figures: one report at a time


def _new_lock_after_fork() -> None:
    # a batch forks render workers; another thread may hold the lock at that moment
    global _FIGURES_LOCK
    _FIGURES_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


def _chart(key: tuple, make):
    chart = _FIGURES.get(key)
    if chart is None:
        chart = _FIGURES[key] = make()
    return chart


def clear_figures() -> None:
    """Forget the kept figures (tests: a new figure must draw what a kept one draws)."""
    with _FIGURES_LOCK:
        _FIGURES.clear()


def _radar_png(r: dict) -> bytes:
    return _chart(("radar", len(r["names"])), lambda: _Radar(len(r["names"]))).png(r)


def _trend_png(t: dict) -> bytes:
    key = (
        "trend",
        len(t["years"]),
        tuple(s["label"] for s in t["money"]),
        tuple(s["label"] for s in t["ratios"]),
    )
    if not all(
        any(v is not None for s in series for v in s["values"])
        for series in (t["money"], t["ratios"])
    ):  # an axis without data keeps no limits of its own: a new figure, as the first time
        return _Trend(*key[1:]).png(t)
    return _chart(key, lambda: _Trend(*key[1:])).png(t)


def _gaps_png(g: dict) -> bytes:
    return _chart(("gaps", len(g["labels"])), lambda: _Gaps(len(g["labels"]))).png(g)


def render_png(data: dict) -> dict[str, bytes]:
    """PNG bytes per chart present (keys radar, trend, gaps)."""
    out = {}
    with _FIGURES_LOCK:
        if data.get("radar"):
            out["radar"] = _radar_png(data["radar"])
        if data.get("trend"):
            out["trend"] = _trend_png(data["trend"])
        if data.get("gaps"):
            out["gaps"] = _gaps_png(data["gaps"])
    return out
