"""Evaluation frames on disk: a partitioned Parquet directory that any engine can read.

A frame (``columnar.Frame``: one row per profile, columns named by path relative to the
assessment year, numbers as scaled integers) is written as ``part-00000.parquet`` … plus
``_srdi_frame.json`` (the assessment year, each number column's scale, the column kinds, the
row count and the column maxima). Spark and Polars both read it; names starting with ``_`` are
ignored by Spark and Hadoop tools when they list the parts.

    write_frame(frame, "frame.parquet", columns)     # srdi frame --from-db -o frame.parquet
    frame = read_frame_polars("frame.parquet")        # the Polars engine
    spark.read.parquet("frame.parquet")               # the Spark engine (+ FrameMeta.read)
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .columnar import Frame, build_frame, columns_for, evaluate_frame, rows_from_frame
from .profile import normalise
from .standard import Standard

META_FILE = "_srdi_frame.json"
FRAME_FORMAT = "srdi-evaluation-frame/1"
ROW = "_row"  # the frame's row number: results come back in frame order
ROWS_PER_FILE = 1_000_000


class FrameError(ValueError):
    """A directory that is not a usable evaluation frame (message in Chinese)."""


@dataclass
class FrameMeta:
    """What a Parquet frame needs beside its columns: the assessment year and the scales."""

    year: int
    scales: dict[str, int]
    columns: dict[str, str]
    rows: int | None = None
    bounds: dict[str, int] | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FRAME_FORMAT,
                "year": self.year,
                "scales": self.scales,
                "columns": self.columns,
                "rows": self.rows,
                "bounds": self.bounds,
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def read(cls, path: Path | str) -> FrameMeta:
        f = Path(path) / META_FILE
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FrameError(f"评估数据框缺少或无法读取说明文件 {META_FILE}") from exc
        if not isinstance(d, dict) or d.get("format") != FRAME_FORMAT:
            raise FrameError(f"不是本平台的评估数据框（{META_FILE} 格式不符）")
        return cls(
            int(d["year"]),
            {k: int(v) for k, v in d["scales"].items()},
            dict(d.get("columns") or {}),
            d.get("rows"),
            {k: int(v) for k, v in (d.get("bounds") or {}).items()} or None,
        )


def is_frame(path: Path | str) -> bool:
    p = Path(path)
    return p.is_dir() and (p / META_FILE).exists()


def frame_columns(frame) -> dict[str, str]:
    """The column kinds of a Polars frame (for its meta file)."""
    kinds = {pl.Int64: "num", pl.Boolean: "bool", pl.Utf8: "str", pl.Date: "date"}
    out = {}
    for name, dtype in frame.df.schema.items():
        if name in ("uscc", "name"):
            continue
        out[name] = "list" if isinstance(dtype, pl.List) else kinds.get(dtype, "str")
    return out


def write_frame(
    frame: Frame,
    out: Path | str,
    columns: dict[str, str],
    *,
    rows_per_file: int = ROWS_PER_FILE,
) -> Path:
    """``frame`` as ``out/part-NNNNN.parquet`` (``rows_per_file`` rows each, with the row
    number ``_row``) and ``out/_srdi_frame.json``. An existing ``out`` is replaced."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    out.mkdir(parents=True)
    df = frame.df.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    for i, start in enumerate(range(0, max(df.height, 1), rows_per_file)):
        df.slice(start, rows_per_file).write_parquet(
            out / f"part-{i:05d}.parquet", compression="zstd", statistics=True
        )
    meta = FrameMeta(frame.year, frame.scales, columns, df.height, frame.bounds())
    (out / META_FILE).write_text(meta.to_json(), encoding="utf-8")
    return out


def read_frame_polars(path: Path | str) -> tuple[Frame, FrameMeta]:
    """A Parquet frame back as a Polars :class:`Frame` (rows in frame order)."""
    path = Path(path)
    meta = FrameMeta.read(path)
    parts = sorted(path.glob("*.parquet"))
    if not parts:
        raise FrameError("评估数据框中没有数据文件（*.parquet）")
    df = pl.concat([pl.read_parquet(p) for p in parts], how="vertical_relaxed")
    if ROW in df.columns:
        if not df[ROW].is_sorted():  # parts written in frame order need no reordering
            df = df.sort(ROW)
        df = df.drop(ROW)
    frame = Frame(df, meta.scales, meta.year)
    if meta.bounds is not None:
        frame._bounds = dict(meta.bounds)
    return frame, meta


def profiles_frame(profiles: list[dict], stds: list[Standard], year: int) -> Frame:
    """Profiles (exchange format) → the frame of the inputs ``stds`` read, with their names."""
    from .catalog import load_standard

    columns = columns_for(stds, load_standard("sme-size@2011"))
    frame = build_frame([normalise(p) for p in profiles], columns, year)
    names = pl.Series("name", [p.get("name") for p in profiles], dtype=pl.Utf8)
    frame.df = frame.df.with_columns(names)
    return frame


def finish_rows(res: pl.DataFrame, stds: list[Standard]) -> list[dict]:
    """The result frame (either engine's columns) as the contract's summary rows: frame order,
    standards as asked, with the enterprise's name and the rule file's version."""
    rows = rows_from_frame(res, stds)
    names = res["name"].to_list() if "name" in res.columns else None
    k = len(stds)
    for i, r in enumerate(rows):
        if names is not None:
            r["name"] = names[i // k]
        r["version"] = stds[i % k].version
    return rows


def evaluate_polars(frame: Frame, stds: list[Standard], as_of, review: bool) -> pl.DataFrame:
    """The Polars engine over a frame, keeping the names when the frame has them."""
    from .catalog import load_standard

    if as_of.year != frame.year:
        raise FrameError(
            f"评估数据框按 {frame.year} 年构建，评估日期应在 {frame.year} 年内（实为 {as_of}）"
        )
    res = evaluate_frame(frame, stds, as_of, review, load_standard("sme-size@2011"))
    if "name" in frame.df.columns:
        res = res.with_columns(frame.df["name"])
    return res


def long_polars(res: pl.DataFrame, stds: list[Standard]) -> pl.DataFrame:
    """One row per enterprise × standard (uscc, standard, version, outcome, score, size_class,
    route), as the Spark engine's Parquet output."""
    parts = []
    n = res.height
    for k, std in enumerate(stds):
        p = std.id + ":"

        def pick(name: str, dtype, p: str = p) -> pl.Expr:
            if p + name in res.columns:
                return pl.col(p + name).cast(dtype).alias(name)
            return pl.lit(None, dtype=dtype).alias(name)

        parts.append(
            res.select(
                pl.int_range(n, dtype=pl.Int64).alias(ROW),
                pl.col("uscc"),
                pl.lit(std.id).alias("standard"),
                pl.lit(std.version).alias("version"),
                pick("outcome", pl.Utf8),
                pick("score", pl.Float64),
                pick("size_class", pl.Utf8),
                pick("route", pl.Utf8),
                pl.lit(k, dtype=pl.Int64).alias("_k"),
            )
        )
    return pl.concat(parts).sort(ROW, "_k").drop("_k")
