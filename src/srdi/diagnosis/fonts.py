"""The report's CJK font: a subset of Noto Sans CJK SC, made once per machine and kept.

Debian's Noto Sans CJK is one 19 MB collection (TTC) of five faces with 65,535 glyphs each.
WeasyPrint embeds the glyphs a document uses, keeping their glyph ids: with glyph ids up to
65,535 every embedded font carries empty slots for all of them (≈ 800 KB per font before
compression) and the subsetting itself costs ~50 ms per font and document. A subset of the SC
face for the characters of GB 2312 plus Latin, punctuation and symbols (≈ 7,600 glyphs, 1.9 MB)
has the same outlines and metrics for those characters; documents embed far smaller fonts, and
matplotlib draws the charts with the Simplified Chinese glyph forms (face 0 of the collection,
which matplotlib picks by itself, is the Japanese one).

Characters outside the subset (a rare character in an enterprise name) are drawn from the full
system font: :data:`FAMILIES` lists it after the subset, and Pango (WeasyPrint) and matplotlib
fall back per character.

The subset is written under ``VAR_DIR/cache/fonts/<key>/`` the first time it is needed (fontTools,
~10 s per weight, once per machine and source font; a file lock keeps concurrent processes from
doing it twice). Without the source fonts the report uses the system font names alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

#: The @font-face family of the subset (also the name matplotlib knows it by).
SUBSET_FAMILY = "SRDI Noto Sans SC"
#: The system font the subset comes from and falls back to.
SYSTEM_FAMILY = "Noto Sans CJK SC"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SOURCES = {
    "normal": FONT_DIR / "NotoSansCJK-Regular.ttc",
    "bold": FONT_DIR / "NotoSansCJK-Bold.ttc",
}
#: Bump when the character set or the subsetting options change (a new cache key).
SUBSET_VERSION = 2
#: Code points kept besides GB 2312: Latin, punctuation, letter-like symbols, number forms,
#: arrows, mathematical operators, enclosed numbers, CJK symbols and punctuation, full-width forms.
EXTRA_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x2000, 0x206F),
    (0x20A0, 0x20BF),
    (0x2100, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)
#: OpenType features kept for horizontal Simplified Chinese text (no vertical forms, no
#: language variants of the other faces).
LAYOUT_FEATURES = ["ccmp", "calt", "clig", "liga", "kern", "mark", "mkmk", "rlig", "rclt", "curs"]


def charset() -> set[int]:
    cps = {cp for lo, hi in EXTRA_RANGES for cp in range(lo, hi + 1)}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        cps.add(cp)
    return cps


def _face_index(path: Path, family: str) -> int:
    """Index of the face named ``family`` in a collection (0 for a single font)."""
    from fontTools.ttLib import TTCollection

    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    coll = TTCollection(str(path), lazy=True)
    try:
        for i, font in enumerate(coll.fonts):
            if font["name"].getDebugName(1) == family:
                return i
    finally:
        coll.close()
    raise LookupError(f"{family} not in {path}")


def _key() -> str:
    h = hashlib.sha256(f"v{SUBSET_VERSION}".encode())
    for weight, path in sorted(SOURCES.items()):
        st = path.stat()
        h.update(f"|{weight}|{path}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _make_subset(src: Path, dest: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(src), fontNumber=_face_index(src, SYSTEM_FAMILY), lazy=True)
    opts = subset.Options()
    opts.layout_features = LAYOUT_FEATURES
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = True
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    # The subset's own name, so that nothing mistakes it for the full system font.
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = SUBSET_FAMILY + (" Bold" if rec.nameID == 4 and "Bold" in src.name else "")
        elif rec.nameID == 6:
            rec.string = SUBSET_FAMILY.replace(" ", "") + ("-Bold" if "Bold" in src.name else "")
    buf = io.BytesIO()
    font.save(buf)
    font.close()
    tmp = dest.with_suffix(f".{os.getpid()}.tmp")
    _identity_cids(buf.getvalue()).save(str(tmp))
    os.replace(tmp, dest)


def _identity_cids(data: bytes):
    """The font with CID = glyph id, as in the full font.

    WeasyPrint writes glyph ids into the PDF as the CIDs of a CIDFontType0 font; a viewer finds
    the outline of a CID through the CFF charset. The subset keeps the original CIDs (up to
    65,535) for its renumbered glyphs, so the charset is renumbered: glyph n becomes CID n.
    Tables other than CFF address glyphs by id and are copied unchanged.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):  # name-keyed CFF: nothing to renumber
        return font
    old = list(top.charset)
    new = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(old))]
    strings = top.CharStrings
    if getattr(strings, "charStringsAreIndexed", False):
        strings.charStrings = {n: strings.charStrings[o] for o, n in zip(old, new, strict=True)}
    else:
        strings.charStrings = {n: strings[o] for o, n in zip(old, new, strict=True)}
    top.charset = new
    font.setGlyphOrder(new)
    return font


def cache_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "cache" / "fonts"


@lru_cache(maxsize=1)
def subset_fonts() -> dict[str, Path] | None:
    """``{"normal": path, "bold": path}`` of the subset fonts, made if missing; None if unusable."""
    try:
        if not all(p.is_file() for p in SOURCES.values()):
            return None
        folder = cache_dir() / _key()
        paths = {w: folder / f"{SUBSET_FAMILY.replace(' ', '')}-{w}.otf" for w in SOURCES}
        if all(p.is_file() for p in paths.values()):
            return paths
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be making them right now
            try:
                for weight, dest in paths.items():
                    if not dest.is_file():
                        log.info("making the report font subset %s", dest)
                        _make_subset(SOURCES[weight], dest)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return paths
    except Exception:  # noqa: BLE001 - the report still renders with the system font
        log.warning("no font subset for the diagnosis report; using the system font", exc_info=True)
        with contextlib.suppress(Exception):
            for p in (cache_dir() / _key()).glob("*.tmp"):
                p.unlink()
        return None


def families(subset: bool = True) -> list[str]:
    """CSS font-family list: the subset first (if wanted and there is one), then the system fonts."""
    fams = [SUBSET_FAMILY] if subset and subset_fonts() else []
    return [*fams, SYSTEM_FAMILY, "Noto Sans CJK", "sans-serif"]


def font_face_css() -> str:
    """@font-face rules for the subset ('' without one)."""
    paths = subset_fonts()
    if not paths:
        return ""
    return "".join(
        f'@font-face {{ font-family: "{SUBSET_FAMILY}"; src: url("{p.as_uri()}"); '
        f"font-weight: {weight}; font-style: normal; }}\n"
        for weight, p in paths.items()
    )
