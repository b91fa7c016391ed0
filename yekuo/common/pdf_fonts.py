"""The bundled Noto Sans SC for every PDF yekuo renders (the commitment letter, the acceptance slip, the
bulletin), decompressed once.

The fonts (`FONTS`, copied by `make assets` from @fontsource/noto-sans-sc) are WOFF2. WeasyPrint
turns each WOFF2 file into a TrueType font on every PDF it renders, in pure Python (fontTools rebuilds the
`glyf` table glyph by glyph): about half of a bulletin's rendering time, for the same four files every time.
Here each file is decompressed once into `DATA_DIR/fonts/` (named by its content's sha256, so a new font
version gets a new file; written to a temporary name and renamed, so concurrent renders never read half a
file) and the @font-face rules point at the TrueType files.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from yekuo.common.errors import YekuoError

FONTS = {
    400: ("noto-sans-sc-chinese-simplified-400-normal.woff2", "noto-sans-sc-latin-400-normal.woff2"),
    700: ("noto-sans-sc-chinese-simplified-700-normal.woff2", "noto-sans-sc-latin-700-normal.woff2"),
}


def _ttf(woff2: Path) -> Path:
    digest = hashlib.sha256(woff2.read_bytes()).hexdigest()[:16]
    target = Path(settings.DATA_DIR) / "fonts" / f"{woff2.stem}-{digest}.ttf"
    if target.exists():
        return target
    from fontTools.ttLib import TTFont

    target.parent.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(woff2))
    font.flavor = None
    handle, scratch = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    try:
        font.save(scratch)
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return target


def font_faces() -> str:
    """@font-face rules naming the decompressed bundled fonts by path."""
    rules = []
    for weight, files in FONTS.items():
        for name in files:
            found = finders.find(f"vendor/fonts/{name}")
            if not found:
                raise YekuoError(
                    f"the font {name} is missing: run `make assets` (it installs @fontsource/noto-sans-sc)",
                    code="fonts_missing",
                )
            url = _ttf(Path(found)).resolve().as_uri()
            face = f"font-family: 'Noto Sans SC'; font-weight: {weight}; src: url('{url}') format('truetype');"
            rules.append(f"@font-face {{ {face} }}")
    return "\n".join(rules)
