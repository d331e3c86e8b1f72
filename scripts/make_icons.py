"""Draw the app icons (the brand's gold diamond on the navy bar colour) as PNGs for the web app manifest.

Run `make icons` after changing the brand colours; the PNGs are committed under outreach/static/icons/.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

NAVY = (31, 58, 95)      # --outreach-primary
GOLD = (201, 162, 39)    # --outreach-accent
OUT = Path(__file__).resolve().parent.parent / "outreach" / "static" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    """A diamond centred on a navy square; a maskable icon keeps it inside the central 80 % safe zone,
    an ordinary one gets rounded corners."""
    scale = 4  # drawn large, scaled down: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=NAVY)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 6, fill=NAVY)
    half = big * (0.27 if maskable else 0.34)
    c = big / 2
    pen.polygon([(c, c - half), (c + half * 0.78, c), (c, c + half), (c - half * 0.78, c)], fill=GOLD)
    return image.resize((size, size), Image.LANCZOS)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    print(f"icons written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
