"""Reference resizes for the Java engine's Pillow-exact resize (model/.../PilResize.java).

Hugging Face image processors resize uint8 frames through Pillow, so the Java preprocessor must match Pillow's
integer arithmetic. This writes small test images (sharp edges, gradients and noise, so every filter lobe matters)
and Pillow's resize of each with every filter the processors use, as uint8 .npy files:

    pip install pillow numpy
    python3 training/make_resize_fixture.py   # writes model/src/test/resources/fixtures/resize/
"""
import json
import pathlib

import numpy as np
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parent.parent / "model/src/test/resources/fixtures/resize"
FILTERS = {"nearest": Image.NEAREST, "lanczos": Image.LANCZOS, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
# (input width, height) -> (output width, height): shrink by non-integer factors, enlarge, stretch one axis only.
CASES = [((37, 23), (16, 16)), ((100, 61), (32, 32)), ((12, 9), (40, 40)), ((64, 48), (64, 64)), ((50, 50), (24, 50))]


def image(w, h, seed):
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.float64)
    img[..., 0] = 255 * x / max(1, w - 1)
    img[..., 1] = np.where((x // 5 + y // 4) % 2 == 0, 240, 10)
    img[..., 2] = rng.randint(0, 256, size=(h, w))
    return np.clip(img, 0, 255).astype(np.uint8)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    index = []
    for i, ((w, h), (ow, oh)) in enumerate(CASES):
        src = image(w, h, seed=i)
        name = f"case{i}"
        np.save(OUT / f"{name}_in.npy", src)
        for fname, f in FILTERS.items():
            out = np.asarray(Image.fromarray(src, "RGB").resize((ow, oh), resample=f))
            np.save(OUT / f"{name}_{fname}.npy", out.astype(np.uint8))
        index.append({"name": name, "in": [w, h], "out": [ow, oh]})
    import PIL
    (OUT / "cases.json").write_text(json.dumps({"pillow": PIL.__version__, "cases": index}, indent=1) + "\n")


if __name__ == "__main__":
    main()
