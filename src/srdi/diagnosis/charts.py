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
    from matplotlib import pyplot as plt

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
    return plt


def _png(fig) -> bytes:
    """The figure as an RGB PNG (opaque white background: no alpha channel for the PDF to split)."""
    from PIL import Image

    fig.set_dpi(DPI)
    fig.canvas.draw()  # fixed margins: no second "tight" pass
    rgba = fig.canvas.buffer_rgba()
    img = Image.frombuffer(
        "RGBA", (int(rgba.shape[1]), int(rgba.shape[0])), rgba, "raw", "RGBA", 0, 1
    )
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG", dpi=(DPI, DPI))
    _mpl().close(fig)
    return buf.getvalue()


def _radar_png(r: dict) -> bytes:
    plt = _mpl()
    n = len(r["names"])
    angles = [i * 2 * math.pi / n for i in range(n)] + [0.0]
    fig = plt.figure(figsize=(4.6, 4.0))
    ax = fig.add_axes((0.17, 0.17, 0.66, 0.70), polar=True)

    def norm(values):
        vals = [
            0.0 if v is None else float(v) * 100.0 / m
            for v, m in zip(values, r["max"], strict=True)
        ]
        return vals + vals[:1]

    ax.plot(angles, norm(r["own"]), color=COLORS["own"], linewidth=2, label="企业得分")
    ax.fill(angles, norm(r["own"]), color=COLORS["own"], alpha=0.15)
    ax.plot(angles, norm(r["pass"]), color=COLORS["pass"], linestyle="--", label="及格线")
    if any(v is not None for v in r["peer"]):
        ax.plot(angles, norm(r["peer"]), color=COLORS["peer"], linestyle=":", label="同行中位数")
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels([f"{nm}\n(满分{m:g})" for nm, m in zip(r["names"], r["max"], strict=True)])
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_yticklabels(["25%", "50%", "75%", "100%"], fontsize=7, color=COLORS["grey"])
    fig.legend(loc="lower center", ncol=3, fontsize=8, frameon=False)
    return _png(fig)


def _trend_png(t: dict) -> bytes:
    plt = _mpl()
    fig, ax1 = plt.subplots(figsize=(6.4, 3.2))
    fig.subplots_adjust(left=0.12, right=0.9, top=0.95, bottom=0.3)
    years = t["years"]
    x = list(range(len(years)))
    for s in t["money"]:
        ax1.bar(x, [v or 0 for v in s["values"]], color="#e8b4b0", label=f"{s['label']}（万元）")
    ax1.set_xticks(x)
    ax1.set_xticklabels(years)
    ax1.set_ylabel("万元")
    ax2 = ax1.twinx()
    for s in t["ratios"]:
        xs = [i for i, v in zip(x, s["values"], strict=True) if v is not None]
        ys = [v for v in s["values"] if v is not None]
        ax2.plot(xs, ys, marker="o", linewidth=1.5, label=s["label"])
    ax2.set_ylabel("%")
    h1, l1 = ax1.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    fig.legend(h1 + h2, l1 + l2, loc="lower center", ncol=3, fontsize=7, frameon=False)
    return _png(fig)


def _gaps_png(g: dict) -> bytes:
    plt = _mpl()
    height = 0.9 + 0.45 * len(g["labels"])
    fig, ax = plt.subplots(figsize=(6.4, height))
    fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.15 / height, bottom=0.55 / height)
    y = list(range(len(g["labels"])))
    ax.barh(y, g["completion"], color=COLORS["own"])
    ax.axvline(100, color=COLORS["pass"], linestyle="--")
    ax.set_yticks(y)
    ax.set_yticklabels(g["labels"])
    ax.invert_yaxis()
    ax.set_xlabel("当前值占目标值的百分比（%）")
    for yi, (v, txt) in enumerate(zip(g["completion"], g["text"], strict=True)):
        ax.text(v + 1, yi, txt, va="center", fontsize=7)
    ax.set_xlim(0, max(130, max(g["completion"]) + 30))
    return _png(fig)


def render_png(data: dict) -> dict[str, bytes]:
    """PNG bytes per chart present (keys radar, trend, gaps)."""
    out = {}
    if data.get("radar"):
        out["radar"] = _radar_png(data["radar"])
    if data.get("trend"):
        out["trend"] = _trend_png(data["trend"])
    if data.get("gaps"):
        out["gaps"] = _gaps_png(data["gaps"])
    return out
