"""Server time of one rerun of the Explainer with a 20-layer stack (target: well under 100 ms).

Every rerun goes through app.py (st.navigation) like a click in the browser does, under
Streamlit's AppTest. Baselines in the same run: an empty script (AppTest's own cost) and the
Explainer with a 1-layer stack. Prints medians (and 90th percentiles) in milliseconds.

AppTest compiles app.py and the page anew on every run (a fresh ScriptCache each time, plus
Streamlit's "magic" AST pass), which a running server does once per script. The main rows share
one ScriptCache across runs, as the server does; one row shows the as-is AppTest figure too.

    python benchmarks/explainer_rerun.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit.testing.v1.app_test as app_test_module
import streamlit.testing.v1.local_script_runner as runner_module
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

from cnnweb import stack
from cnnweb.conv import LayerSpec

TWENTY = stack.PRESETS["VGG16 feature extractor (13 convs, 5 pools)"].layers + [
    LayerSpec("conv", 3, padding="same", filters=512),
    LayerSpec("conv", 1, filters=10)]
ONE = [LayerSpec("conv", 3, filters=32)]


def _server_like_cache(on: bool) -> None:
    """Share one compiled-script cache across AppTest runs (on) or restore AppTest's default."""
    shared = ScriptCache()
    factory = (lambda: shared) if on else ScriptCache
    app_test_module.ScriptCache = factory
    runner_module.ScriptCache = factory


def _timed(at: AppTest, runs: int) -> list[float]:
    at.run()  # warm: imports, caches
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        at.run()
        out.append((time.perf_counter() - t) * 1000)
        assert not at.exception, at.exception
    return out


def _explainer(layers, view="Layer table") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.query_params.update({"layers": stack.encode_stack(layers), "size": "224", "ch": "3",
                            "view": view})
    at.switch_page("pages/explainer.py").run()
    assert not at.exception, at.exception
    return at


def _row(name: str, ms: list[float]) -> str:
    p90 = sorted(ms)[int(0.9 * (len(ms) - 1))]
    return f"{name:<44} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    runs = ap.parse_args().runs
    assert len(TWENTY) == 20
    _server_like_cache(False)
    as_is = _timed(_explainer(TWENTY), runs)
    _server_like_cache(True)
    results = {"empty script (AppTest baseline)": _timed(AppTest.from_string(""), runs),
               "Explainer, 1-layer stack": _timed(_explainer(ONE), runs),
               "Explainer, 20-layer stack": _timed(_explainer(TWENTY), runs)}
    for view in ("Sliding kernel", "Receptive field", "Pooling and filters"):
        results[f"Explainer, 20 layers, tab '{view}'"] = _timed(_explainer(TWENTY, view), runs)
    print(f"{runs} timed reruns each (after one warm-up), {os.cpu_count()} CPUs")
    for name, ms in results.items():
        print(_row(name, ms))
    print(_row("Explainer, 20 layers, AppTest as is (recompiles)", as_is))
    base = statistics.median(results["empty script (AppTest baseline)"])
    twenty = statistics.median(results["Explainer, 20-layer stack"])
    one = statistics.median(results["Explainer, 1-layer stack"])
    print(f"20-layer rerun minus the empty-script baseline: {twenty - base:.1f} ms "
          f"({twenty / one:.2f}x the 1-layer stack)")


if __name__ == "__main__":
    main()
