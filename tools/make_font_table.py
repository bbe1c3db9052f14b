"""Regenerate src/deconv_anim/fonts/ from the font Pillow draws text with.

    python tools/make_font_table.py

Writes ``Aileron-Regular.ttf`` (the bytes of ``ImageFont.load_default``) and
``aileron_widths.json``: for every font size from 1 to ``SIZES`` and every character of the
font's character map (plus ``.notdef``, the glyph of every other character), the advance
in whole pixels that Pillow's ``getlength`` gives (TrueType hinting makes it differ from the
scaled design width, so it is measured, not computed). ``deconv_anim.font`` reads it: the
layout measures text without Pillow, exactly as the raster draws it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from pathlib import Path

from PIL import ImageFont

SIZES = 256
OUT = Path(__file__).resolve().parent.parent / "src" / "deconv_anim" / "fonts"
NOTDEF = "\ufffe"  # a character the font lacks: measured as .notdef


def main() -> None:
    data = ImageFont.load_default(size=10).font_bytes
    (OUT / "Aileron-Regular.ttf").write_bytes(data)
    from deconv_anim.font import character_map

    chars = "".join(sorted(character_map(data))) + NOTDEF
    table = bytearray()
    for size in range(1, SIZES + 1):
        font = ImageFont.load_default(size=size)
        for ch in chars:
            width = font.getlength(ch)
            if not (width.is_integer() and 0 <= width < 65536):
                raise SystemExit(f"size {size}, {ch!r}: width {width} is not a whole pixel")
            table += int(width).to_bytes(2, "big")
    doc = {"font": "Aileron-Regular.ttf", "sha256": hashlib.sha256(data).hexdigest(),
           "sizes": SIZES, "chars": chars,
           "widths": base64.b64encode(zlib.compress(bytes(table), 9)).decode("ascii")}
    (OUT / "aileron_widths.json").write_text(json.dumps(doc, ensure_ascii=True) + "\n")


if __name__ == "__main__":
    main()
