"""Image convolution and pooling in numpy, exactly as Keras computes them, plus classic kernels.

Pure numpy, no TensorFlow (the Explainer imports this). Keras' Conv2D is a cross-correlation:
the kernel is not flipped. Padding follows cnnweb.conv (TensorFlow's "same" puts the odd zero
after). Images are (H, W) or (H, W, C); kernels are applied to every channel separately.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnweb import conv, i18n

# Classic 3x3 kernels (cross-correlation orientation, as Keras applies them).
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float),
    "box blur": np.ones((3, 3)) / 9,
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
    "edges (laplacian)": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float),
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], float),
    "sobel x (vertical edges)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float),
    "sobel y (horizontal edges)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float),
}
# Named kernels whose output is not an image but a signed response (shown on a +/- scale).
SIGNED = {"edges (laplacian)", "outline", "sobel x (vertical edges)", "sobel y (horizontal edges)"}


def _as_float_image(image) -> np.ndarray:
    x = np.asarray(image, dtype=float)
    if x.ndim not in (2, 3) or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"An image must be (height, width) or (height, width, channels), "
                         f"got shape {x.shape}.")
    return x


def to_gray(image) -> np.ndarray:
    """(H, W, 3) RGB -> (H, W) luminance (ITU-R 601 weights); (H, W) or (H, W, 1) -> (H, W)."""
    x = _as_float_image(image)
    if x.ndim == 2:
        return x
    if x.shape[2] == 1:
        return x[:, :, 0]
    return x[:, :, :3] @ np.array([0.299, 0.587, 0.114])


def _pads(h, w, kernel_hw, stride, padding, dilation):
    (kh, kw) = kernel_hw
    return (conv.padding_amounts(h, kh, stride, padding, dilation),
            conv.padding_amounts(w, kw, stride, padding, dilation))


def _windows(x3, kernel_hw, stride, padding, dilation, fill):
    """Sliding windows of a (H, W, C) array: (out_h, out_w, C, kh, kw)."""
    h, w, _ = x3.shape
    kh, kw = kernel_hw
    oh = conv.output_size(h, kh, stride, padding, dilation)  # raises a sentence if empty
    ow = conv.output_size(w, kw, stride, padding, dilation)
    (pt, pb), (pl, pr) = _pads(h, w, kernel_hw, stride, padding, dilation)
    padded = np.pad(x3, ((pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    span = (conv.effective_kernel(kh, dilation), conv.effective_kernel(kw, dilation))
    win = sliding_window_view(padded, span, axis=(0, 1))  # (H', W', C, span_h, span_w)
    win = win[::stride, ::stride, :, ::dilation, ::dilation]
    return win[:oh, :ow]


def convolve2d(image, kernel, stride: int = 1, padding="valid", dilation: int = 1,
               bias: float = 0.0) -> np.ndarray:
    """Keras-style Conv2D of each channel with one 2-D kernel (no flip). Keeps the image's rank."""
    x = _as_float_image(image)
    k = np.asarray(kernel, dtype=float)
    if k.ndim != 2:
        raise ValueError(f"The kernel must be a 2-D array, got shape {k.shape}.")
    x3 = x[:, :, None] if x.ndim == 2 else x
    win = _windows(x3, k.shape, stride, padding, dilation, fill=0.0)
    out = np.einsum("hwcij,ij->hwc", win, k) + bias
    return out[:, :, 0] if x.ndim == 2 else out


def pool2d(image, pool: int = 2, stride: int | None = None, padding="valid",
           mode: str = "max") -> np.ndarray:
    """Keras MaxPooling2D / AveragePooling2D (stride defaults to the pool size, as in Keras).

    With "same" padding TensorFlow ignores the padded positions: max never picks them and the
    average divides by the number of real pixels in the window, not by pool*pool.
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"Pooling mode must be 'max' or 'avg', got {mode!r}.")
    x = _as_float_image(image)
    x3 = x[:, :, None] if x.ndim == 2 else x
    win = _windows(x3, (pool, pool), stride or pool, padding, 1, fill=np.nan)
    out = np.nanmax(win, axis=(3, 4)) if mode == "max" else np.nanmean(win, axis=(3, 4))
    return out[:, :, 0] if x.ndim == 2 else out


@dataclass
class Filtered:
    """A picture through one kernel with "same" padding, ready to show."""
    x: np.ndarray                      # the input as filtered: grey 2-D, or colour H×W×3
    out: np.ndarray                    # the output, the input's size
    scale: str                         # how to colour it: "rgb", "signed" (around 0) or "gray"
    range: tuple[float, float] | None  # colour range from the interior (None for "rgb")


def apply_filter(image, kernel, gray: bool = True, signed: bool | None = None) -> Filtered:
    """`kernel` (a KERNELS name or an array) over the picture with "same" padding. signed: the
    output has both signs (edge filters); by default true for the named edge filters and for
    any kernel whose weights sum to 0. A signed colour output is averaged over its channels."""
    k = KERNELS[kernel] if isinstance(kernel, str) else np.asarray(kernel, dtype=float)
    if signed is None:
        signed = kernel in SIGNED if isinstance(kernel, str) else bool(k.sum() == 0)
    img = _as_float_image(image)
    x = to_gray(img) if gray or img.ndim == 2 else img
    out = convolve2d(x, k, padding="same")
    if out.ndim == 3 and not signed:
        return Filtered(x, out, "rgb", None)
    if signed and out.ndim == 3:
        out = out.mean(axis=2)
    return Filtered(x, out, "signed" if signed else "gray", display_range(out, k.shape[0], signed))


def display_range(out, kernel_size: int, signed: bool, percent: float = 1.0):
    """Colour range for showing a "same"-padded filter output: (low, high).

    The zero border makes an edge filter answer strongly all around the picture's rim (a photo
    of value 200 next to the zeros), and a range set by the largest value would leave the
    picture itself pale. So the range comes from the interior only (kernel_size // 2 pixels in
    from each side) and from its `percent`-th and (100 - percent)-th percentiles, so that a few
    extreme pixels do not set it either. signed: a range symmetric around 0."""
    a = np.asarray(out, dtype=float)
    b = kernel_size // 2
    inner = a[b:a.shape[0] - b, b:a.shape[1] - b] if min(a.shape[:2]) > 2 * b + 2 else a
    inner = inner[np.isfinite(inner)]
    if inner.size == 0:
        return (-1.0, 1.0) if signed else (0.0, 1.0)
    if signed:
        m = float(np.percentile(np.abs(inner), 100 - percent)) or float(np.abs(inner).max())
        return -(m or 1.0), (m or 1.0)
    lo, hi = (float(v) for v in np.percentile(inner, [percent, 100 - percent]))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


# ---------------------------------------------------------------- one step of a sliding kernel

@dataclass
class ConvStep:
    """Everything the step-by-step view draws for one output cell of a 2-D convolution."""
    padded: np.ndarray          # input with its zero border, (H + pt + pb, W + pl + pr)
    pads: tuple[int, int, int, int]  # zeros top, bottom, left, right
    output: np.ndarray          # the full output (out_h, out_w)
    row: int                    # the output cell of this step
    col: int
    cells: list[tuple[int, int]]  # window cells in padded coordinates, row-major like kernel
    values: np.ndarray          # input values under the kernel (kh, kw)
    products: np.ndarray        # values * kernel (kh, kw)
    bias: float
    total: float                # products.sum() + bias == output[row, col]


def conv_step(grid, kernel, step: int, stride: int = 1, padding="valid", dilation: int = 1,
              bias: float = 0.0) -> ConvStep:
    """Output cell number `step` (row-major) of a 2-D convolution, with its dot product."""
    x = _as_float_image(grid)
    k = np.asarray(kernel, dtype=float)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError("The step-by-step view works on one 2-D grid and one 2-D kernel.")
    out = convolve2d(x, k, stride, padding, dilation, bias)
    oh, ow = out.shape
    if not 0 <= step < oh * ow:
        raise ValueError(f"Step {step} does not exist: the output has {oh}×{ow} = {oh * ow} cells.")
    row, col = divmod(step, ow)
    (pt, pb), (pl, pr) = _pads(*x.shape, k.shape, stride, padding, dilation)
    padded = np.pad(x, ((pt, pb), (pl, pr)))
    rows = conv.window_indices(row, k.shape[0], stride, 0, dilation)  # padded coordinates
    cols = conv.window_indices(col, k.shape[1], stride, 0, dilation)
    values = padded[np.ix_(rows, cols)]
    products = values * k
    return ConvStep(padded, (pt, pb, pl, pr), out, row, col,
                    [(r, c) for r in rows for c in cols], values, products, float(bias),
                    float(products.sum() + bias))


def _signed(v: float) -> str:
    text = f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}".rstrip("0")
    return f"({text})" if v < 0 else text


def dot_product_latex(step: ConvStep, kernel, lang: str = "en") -> str:
    """The dot product of one step as LaTeX: one line per kernel row, + bias, = total; its
    words ("out", "row 1:", "bias") in `lang`."""
    k = np.asarray(kernel, dtype=float)
    lines = []
    for n, (vrow, krow, prow) in enumerate(zip(step.values, k, step.products)):
        terms = " + ".join(rf"{_signed(v)}\cdot{_signed(w)}" for v, w in zip(vrow, krow))
        lead = (rf"\text{{{i18n.t('tex.out', lang=lang)}}}[{step.row}, {step.col}] &= "
                if n == 0 else "&+ ")
        row = i18n.t("tex.row", lang=lang, n=n + 1)
        lines.append(rf"{lead}{terms} && \text{{{row} }} {_signed(prow.sum())}")
    lines.append(rf"&+ {_signed(step.bias)} && \text{{{i18n.t('tex.bias', lang=lang)}}}")
    lines.append(rf"&= {_signed(step.total)}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def parse_kernel(text: str) -> np.ndarray:
    """'1 0 -1; 2 0 -2; 1 0 -1' (rows split by ';' or new lines) -> a square float kernel;
    ValueError(i18n.Msg) saying what is wrong with the text."""
    rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    try:
        values = [[float(v) for v in r.replace(",", " ").split()] for r in rows]
    except ValueError:
        raise ValueError(i18n.Msg("flt.not_numbers")) from None
    n = len(values)
    if not 1 <= n <= 9 or any(len(r) != n for r in values):
        raise ValueError(i18n.Msg("flt.not_square", n=n,
                                  widths=", ".join(map(str, sorted({len(r) for r in values})))))
    k = np.array(values)
    if not np.isfinite(k).all():
        raise ValueError(i18n.Msg("flt.not_finite"))
    return k


def demo_grid(name: str, n: int, seed: int = 0) -> np.ndarray:
    """Small integer grids for the step-by-step view: easy to multiply in your head."""
    if not 1 <= n <= 32:
        raise ValueError(f"The demo grid is 1 to 32 cells wide, got {n}.")
    i, j = np.mgrid[0:n, 0:n]
    if name == "random digits":
        return np.random.default_rng(seed).integers(0, 10, (n, n)).astype(float)
    if name == "vertical edge":
        return np.where(j < n // 2, 0.0, 9.0)
    if name == "diagonal line":
        return np.where(i == j, 9.0, 0.0)
    if name == "checkerboard":
        return ((i + j) % 2 * 9).astype(float)
    if name == "ramp":
        return (i + j).astype(float)
    raise ValueError(f"Unknown demo grid {name!r}.")


DEMO_GRIDS = ("random digits", "vertical edge", "diagonal line", "checkerboard", "ramp")


def demo_kernel(name: str, size: int, seed: int = 0) -> np.ndarray:
    """A kernel for the step-by-step view: a named 3x3 one, ones, or small random integers."""
    if name in KERNELS:
        return KERNELS[name]
    if not 1 <= size <= 9:
        raise ValueError(f"The demo kernel is 1 to 9 cells wide, got {size}.")
    if name == "all ones":
        return np.ones((size, size))
    if name == "random -1..1":
        return np.random.default_rng(seed + 1).integers(-1, 2, (size, size)).astype(float)
    raise ValueError(f"Unknown demo kernel {name!r}.")


# ---------------------------------------------------------------- pictures to filter

SAMPLES = "explainer_images.npz"  # in data/: 4 MNIST and 6 CIFAR-10 test images


def sample_images() -> dict[str, np.ndarray]:
    """The shipped pictures for the pooling and filter demos, by name (uint8 arrays)."""
    from cnnweb import paths

    with np.load(paths.data_dir() / SAMPLES) as d:
        out = {str(n): x for n, x in zip(d["cifar_names"], d["cifar"])}
        out.update({str(n): x for n, x in zip(d["mnist_names"], d["mnist"])})
    return out

