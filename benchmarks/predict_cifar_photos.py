"""How well a CIFAR-10 model does on "photos": CIFAR-10 test images upscaled to 256x256 and saved
as JPEG, read back through the upload path (images.prepare_file, exactly as the page and the
CLI do), against the same model on the original 32x32 test images (same run, same images).

    python benchmarks/predict_cifar_photos.py [--model cnnweb_cifar] [--n 1000]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="cnnweb_cifar")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "cifar10.npz"))
    args = ap.parse_args(argv)

    import numpy as np
    from PIL import Image

    from cnnweb import explain, images, store

    d = np.load(args.data)
    rng = np.random.default_rng(0)
    idx = rng.choice(len(d["x_test"]), args.n, replace=False)
    x, y = d["x_test"][idx], d["y_test"].reshape(-1)[idx]
    model = store.load_model(args.model)
    shape = tuple(store.load_meta(args.model)["input_shape"])

    raw = explain.predict_many(model, list(x)).argmax(1)
    files = []
    for i, img in enumerate(x):
        buf = io.BytesIO()
        Image.fromarray(img).resize((256, 256), Image.Resampling.BICUBIC).save(buf, "JPEG", quality=90)
        files.append((f"cifar_test_{idx[i]}.jpg", buf.getvalue()))
    print(f"{args.model} on {args.n} CIFAR-10 test images (seed 0)")
    print(f"  32x32 originals                      {np.mean(raw == y):.2%}")
    for fit in images.FITS:
        prepared = images.prepare_files(files, shape, fit)
        assert all(p.ok for p in prepared)
        pred = explain.predict_many(model, [p.x for p in prepared]).argmax(1)
        print(f"  256x256 JPEG upload, fit={fit:6s}      {np.mean(pred == y):.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
