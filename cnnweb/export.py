"""Take a model home: a stored model as a .keras file or as TensorFlow Lite.

    FORMATS                          -> ("keras", "tflite")
    export_bytes(name, fmt)          -> bytes of the file (the Gallery's download button)
    export(name, fmt, out, force)    -> Path written (the CLI: `python -m cnnweb export`)
    tflite_predict(tflite, xs)       -> probabilities from the TFLite interpreter

The .keras file is the store's own bytes (checked like any model file); TFLite comes from
TensorFlow's own converter (tf.lite.TFLiteConverter.from_keras_model) on the model loaded in
safe mode. An existing output file is never replaced unless force is given, and a write goes
to a temporary file beside it first. TensorFlow is imported only for TFLite.
"""

from __future__ import annotations

from pathlib import Path

from cnnweb import atomic, store
from cnnweb.i18n import Msg

FORMATS = ("keras", "tflite")
SUFFIX = {"keras": ".keras", "tflite": ".tflite"}


class ExportError(ValueError):
    """A model or output that cannot be exported; args[0] is the one-line reason."""


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(Msg("exp.bad_format", fmt=str(fmt)[:20], formats=", ".join(FORMATS)))


def keras_bytes(name_or_path) -> bytes:
    path = store.model_path(name_or_path)
    problem = store.model_file_problem(path)
    if problem:
        raise ExportError(problem)
    return path.read_bytes()


def tflite_bytes_of(model) -> bytes:
    """A loaded Keras model as a TFLite flatbuffer (float32, no quantisation)."""
    import contextlib
    import io

    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    with contextlib.redirect_stdout(io.StringIO()):    # its "Saved artifact at ..." listing
        return bytes(converter.convert())


def export_bytes(name_or_path, fmt: str) -> bytes:
    _check_format(fmt)
    if fmt == "keras":
        return keras_bytes(name_or_path)
    return tflite_bytes_of(store.load_model(name_or_path))


def out_problem(out, force: bool) -> Msg | None:
    """Why the output file cannot be written: it exists (without force), it is a folder,
    or its folder is missing."""
    out = Path(out)
    if out.is_dir():
        return Msg("exp.out_folder", out=str(out))
    if out.exists() and not force:
        return Msg("exp.out_exists", out=str(out))
    if not out.parent.is_dir():
        return Msg("exp.no_folder", folder=str(out.parent))
    return None


def export(name_or_path, fmt: str, out, force: bool = False) -> Path:
    """Write the model as fmt to out, atomically; ExportError for bad arguments (checked before
    any conversion), StoreError for a model that cannot be read."""
    _check_format(fmt)
    out = Path(out).expanduser()
    problem = out_problem(out, force)
    if problem:
        raise ExportError(problem)
    store.model_path(name_or_path)        # an unknown name fails here, before TensorFlow
    data = export_bytes(name_or_path, fmt)
    problem = out_problem(out, force)     # the conversion took time: look again
    if problem:
        raise ExportError(problem)
    atomic.write(out, data)
    return out


def tflite_predict(tflite: bytes, xs):
    """Probabilities (N, classes) of a TFLite model for inputs (N, H, W, C), one at a time."""
    import numpy as np
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=tflite)
    interpreter.allocate_tensors()
    (inp,), (outp,) = interpreter.get_input_details(), interpreter.get_output_details()
    rows = []
    for x in np.asarray(xs, dtype=np.float32):
        interpreter.set_tensor(inp["index"], x[None])
        interpreter.invoke()
        rows.append(interpreter.get_tensor(outp["index"])[0].copy())
    return np.stack(rows)
