"""Text measured without Pillow: the width table of the font the raster draws text with.

The GIFs draw text with Pillow's bundled Aileron (``ImageFont.load_default``); its bytes
ship here (``fonts/Aileron-Regular.ttf``, CC0, see ``fonts/LICENSE-Aileron.txt``) with a
table of every character's advance at every size from 1 to 256 pixels, as Pillow measures
it (hinted: whole pixels). :func:`text_width` adds them up, which is what Pillow's
``getlength`` does for this font, so the layout wraps and centres text exactly as before
and the SVG, which never imports Pillow, gets the same widths (and embeds the same font).
``tools/make_font_table.py`` regenerates the table.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from functools import lru_cache
from pathlib import Path

__all__ = ["text_width", "font_bytes", "character_map", "subset", "FONT_NAME", "MAX_SIZE"]

FONT_NAME = "Aileron"
_FOLDER = Path(__file__).parent / "fonts"
MAX_SIZE = 256
"""The largest font size of the width table (layouts ask for at most 180)."""


@lru_cache(maxsize=1)
def font_bytes() -> bytes:
    """The TrueType bytes of the font every figure's text is drawn with."""
    return (_FOLDER / "Aileron-Regular.ttf").read_bytes()


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, int], int, bytes]:
    doc = json.loads((_FOLDER / "aileron_widths.json").read_text())
    chars = doc["chars"]
    return ({ch: n for n, ch in enumerate(chars)}, len(chars),
            zlib.decompress(base64.b64decode(doc["widths"])))


@lru_cache(maxsize=256)
def _widths(size: int) -> tuple[dict[str, int], int]:
    """Advance of each character at ``size``, and that of any other character."""
    index, count, table = _table()
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"font size must be from 1 to {MAX_SIZE}, got {size}")
    row = struct.unpack_from(f">{count}H", table, 2 * count * (size - 1))
    widths = {ch: row[n] for ch, n in index.items()}
    return widths, row[-1]


def text_width(text: str, size: int) -> float:
    """Width in pixels of ``text`` at font ``size``: Pillow's ``getlength`` of the same.

    >>> text_width("stamps per output cell:", 15)
    149.0
    """
    widths, other = _widths(size)
    return float(sum(widths.get(ch, other) for ch in text))


def character_map(data: bytes) -> set[str]:
    """The characters a TrueType font maps to glyphs (its Unicode BMP ``cmap``, format 4)."""
    return set(_cmap(data))


def _cmap(data: bytes) -> dict[str, int]:
    """Character -> glyph number of a TrueType font's Unicode BMP ``cmap`` (format 4)."""
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
              for i in range(count)}
    cmap = tables[b"cmap"]
    (subtables,) = struct.unpack_from(">H", data, cmap + 2)
    chars: dict[str, int] = {}
    for i in range(subtables):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        at = cmap + offset
        if ((platform, encoding) not in ((3, 1), (0, 3))
                or struct.unpack_from(">H", data, at)[0] != 4):
            continue
        seg = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{seg}H", data, at + 14)
        starts = struct.unpack_from(f">{seg}H", data, at + 16 + 2 * seg)
        deltas = struct.unpack_from(f">{seg}h", data, at + 16 + 4 * seg)
        ranges_at = at + 16 + 6 * seg
        ranges = struct.unpack_from(f">{seg}H", data, ranges_at)
        for k in range(seg):
            for code in range(starts[k], ends[k] + 1):
                if code == 0xFFFF:
                    continue
                if ranges[k] == 0:
                    glyph = (code + deltas[k]) & 0xFFFF
                else:
                    where = ranges_at + 2 * k + ranges[k] + 2 * (code - starts[k])
                    glyph = struct.unpack_from(">H", data, where)[0]
                    glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
                if glyph:
                    chars[chr(code)] = glyph
    return chars


KEPT_TABLES = (b"OS/2", b"cmap", b"gasp", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp",
               b"name", b"post")
"""Tables a subset keeps: the glyphs, their metrics and names; not the kerning (``GPOS``),
which Pillow's basic layout does not apply either, so browsers space text as the GIF does."""


HINTING_REFERENCE = "THEZOCQSUL fijkdbh xzroesc pqgjy 0123456789"
"""Characters a subset always keeps: FreeType's auto-hinter measures its alignment zones on
these (afblue.dat, Latin), so without them the same glyph would be hinted differently."""


def subset(data: bytes, text: str) -> bytes:
    """A TrueType font with the outlines of the characters of ``text`` only (and
    ``.notdef``); every other glyph is emptied, glyph numbers and metrics stay.

    >>> small = subset(font_bytes(), "0123456789")
    >>> len(small) < len(font_bytes()) // 2, character_map(small) == character_map(font_bytes())
    (True, True)
    """
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for i in range(count):
        tag, _sum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = data[offset:offset + length]
    head = bytearray(tables[b"head"])
    long_loca = struct.unpack_from(">h", head, 50)[0] == 1
    (glyphs,) = struct.unpack_from(">H", tables[b"maxp"], 4)
    loca = (struct.unpack_from(f">{glyphs + 1}I", tables[b"loca"]) if long_loca else
            tuple(2 * v for v in struct.unpack_from(f">{glyphs + 1}H", tables[b"loca"])))
    glyf = tables[b"glyf"]
    wanted = {0} | {_glyph_of(data, ch) for ch in set(text) | set(HINTING_REFERENCE)}
    todo = list(wanted)
    while todo:  # composite glyphs need their components
        g = todo.pop()
        piece = glyf[loca[g]:loca[g + 1]]
        if len(piece) >= 10 and struct.unpack_from(">h", piece, 0)[0] < 0:
            at = 10
            while True:
                flags, component = struct.unpack_from(">HH", piece, at)
                if component not in wanted:
                    wanted.add(component)
                    todo.append(component)
                at += 4 + (4 if flags & 1 else 2)
                at += 2 if flags & 8 else 4 if flags & 0x40 else 8 if flags & 0x80 else 0
                if not flags & 0x20:
                    break
    new_glyf, offsets = bytearray(), [0]
    for g in range(glyphs):
        if g in wanted:
            new_glyf += glyf[loca[g]:loca[g + 1]]
            new_glyf += b"\0" * (len(new_glyf) % 4)  # long-aligned
        offsets.append(len(new_glyf))
    tables[b"glyf"] = bytes(new_glyf)
    tables[b"loca"] = struct.pack(f">{glyphs + 1}I", *offsets)
    struct.pack_into(">h", head, 50, 1)  # long offsets
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
    tables[b"head"] = bytes(head)
    kept = sorted(tag for tag in tables if tag in KEPT_TABLES)
    n = len(kept)
    power = 1 << (n.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, n, power * 16, power.bit_length() - 1,
                         n * 16 - power * 16)
    directory, body = bytearray(), bytearray()
    offset = 12 + 16 * n
    for tag in kept:
        table = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(table), offset + len(body), len(table))
        body += table + b"\0" * (-len(table) % 4)
    font = bytearray(header + directory + body)
    head_at = 12 + 16 * n + sum(len(tables[t]) + (-len(tables[t]) % 4)
                                for t in kept[:kept.index(b"head")])
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(table: bytes) -> int:
    padded = table + b"\0" * (-len(table) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _glyph_of(data: bytes, ch: str) -> int:
    """The glyph of ``ch`` (0, ``.notdef``, if the font has none)."""
    return _glyph_map(data).get(ch, 0)


@lru_cache(maxsize=2)
def _glyph_map(data: bytes) -> dict[str, int]:
    return _cmap(data)
