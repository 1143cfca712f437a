"""The demo's featured images: abstract pictures drawn with Pillow, shipped in blog/static/demo.

They are generated once and committed; `load_demo()` only points articles at them. To
redraw them: `python -m blog.demo.images`.
"""

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1200, 675
FOLDER = Path(__file__).resolve().parent.parent / "static" / "demo"

Color = tuple[int, int, int]


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _vertical_gradient(top: Color, bottom: Color) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        draw.line([(0, y), (WIDTH, y)], fill=_mix(top, bottom, y / (HEIGHT - 1)))
    return image


def river() -> Image.Image:
    """Dusk over moving water: layered waves in teal and slate."""
    image = _vertical_gradient((244, 214, 170), (38, 84, 104))
    draw = ImageDraw.Draw(image)
    for i in range(9):
        base = 300 + i * 42
        color = _mix((92, 150, 160), (20, 48, 66), i / 8)
        points = [(0, HEIGHT)]
        for x in range(0, WIDTH + 20, 20):
            y = base + 14 * math.sin(x / (90 + i * 11) + i) + 6 * math.sin(x / 37 + i * 2)
            points.append((x, y))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=color)
    draw.ellipse([820, 120, 940, 240], fill=(250, 232, 200))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def hills() -> Image.Image:
    """Upland ridges under a pale sky, with three slender turbine masts."""
    image = _vertical_gradient((214, 230, 236), (250, 244, 226))
    draw = ImageDraw.Draw(image)
    ridges = [((150, 176, 150), 330, 70), ((104, 140, 112), 410, 55), ((62, 98, 80), 500, 40)]
    for n, (color, base, amp) in enumerate(ridges):
        points = [(0, HEIGHT)]
        for x in range(0, WIDTH + 10, 10):
            points.append((x, base - amp * math.sin(x / (260 - n * 40) + n * 1.7)))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=color)
    for x, top in ((300, 170), (520, 210), (760, 150)):
        draw.line([(x, top), (x, top + 190)], fill=(245, 245, 240), width=6)
        for angle in (0, 120, 240):
            rad = math.radians(angle + x)
            draw.line(
                [(x, top), (x + 80 * math.cos(rad), top + 80 * math.sin(rad))],
                fill=(245, 245, 240),
                width=5,
            )
    return image.filter(ImageFilter.GaussianBlur(0.8))


def floodlights() -> Image.Image:
    """A night pitch: a green field under four soft pools of light."""
    image = _vertical_gradient((16, 22, 44), (30, 46, 70))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, HEIGHT), (160, 420), (1040, 420), (WIDTH, HEIGHT)], fill=(40, 112, 70))
    for i in range(1, 8):
        x = 160 + i * 110
        draw.line([(x, 420), (600 + (x - 600) * 1.6, HEIGHT)], fill=(58, 134, 86), width=3)
    glow = Image.new("RGB", (WIDTH, HEIGHT))
    glow_draw = ImageDraw.Draw(glow)
    for x in (140, 420, 780, 1060):
        glow_draw.ellipse([x - 70, 60, x + 70, 200], fill=(255, 236, 170))
        glow_draw.polygon([(x - 40, 130), (x + 40, 130), (600, 640)], fill=(70, 66, 40))
    glow = glow.filter(ImageFilter.GaussianBlur(38))
    image = Image.blend(image, Image.eval(glow, lambda v: v), 0.45)
    draw = ImageDraw.Draw(image)
    for x in (140, 420, 780, 1060):
        draw.rectangle([x - 3, 130, x + 3, 420], fill=(120, 128, 140))
        draw.rounded_rectangle([x - 34, 112, x + 34, 134], radius=6, fill=(255, 246, 214))
    return image


def grid() -> Image.Image:
    """Records going online: a calm grid of cards in blues, a few of them lit."""
    image = _vertical_gradient((232, 238, 246), (206, 218, 236))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for row in range(6):
        for col in range(11):
            x, y = 60 + col * 100, 50 + row * 100
            lit = rng.random() < 0.18
            fill = (44, 96, 170) if lit else _mix((188, 204, 228), (150, 172, 206), rng.random())
            draw.rounded_rectangle([x, y, x + 80, y + 76], radius=10, fill=fill)
            if lit:
                for k in range(3):
                    draw.line(
                        [(x + 14, y + 20 + k * 16), (x + 66 - k * 12, y + 20 + k * 16)],
                        fill=(226, 236, 250),
                        width=4,
                    )
    return image


def market() -> Image.Image:
    """Warm stripes of market awnings over a coffee-coloured street."""
    image = _vertical_gradient((250, 236, 214), (120, 78, 52))
    draw = ImageDraw.Draw(image)
    palette = [(196, 82, 60), (238, 214, 176), (62, 110, 104), (226, 160, 74)]
    for n in range(5):
        left = 40 + n * 230
        for s in range(6):
            color = palette[(n + s) % len(palette)]
            x = left + s * 32
            draw.polygon([(x, 150), (x + 32, 150), (x + 36, 260), (x + 4, 260)], fill=color)
        draw.rectangle([left + 8, 260, left + 190, 420], fill=(92, 58, 40))
        for cup in range(3):
            cx = left + 40 + cup * 55
            draw.ellipse([cx - 18, 360, cx + 18, 396], fill=(240, 226, 204))
            draw.ellipse([cx - 11, 367, cx + 11, 385], fill=(110, 66, 38))
    return image.filter(ImageFilter.GaussianBlur(1.0))


IMAGES = {
    "river-dusk.jpg": river,
    "wexmoor-ridge.jpg": hills,
    "floodlights.jpg": floodlights,
    "records-grid.jpg": grid,
    "market-awnings.jpg": market,
}


def write_images(folder: Path = FOLDER) -> list[Path]:
    """Draw every demo image into `folder` (JPEG, quality 80); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in IMAGES.items():
        path = folder / name
        draw().save(path, "JPEG", quality=80, optimize=True, progressive=True)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_images():
        print(written, written.stat().st_size)
