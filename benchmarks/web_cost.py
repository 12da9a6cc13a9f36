"""What the web export costs a visitor: download, time to a ready model, time per text
and memory, in headless Chromium, against sentigru's Python predictor in the same run.

The site is the one ``sentigru export --format web --mediapipe-dir`` writes for the
bundled phone file (``export/sentigru-sentiment.tflite``), with MediaPipe Tasks for Web
from the npm package (``.cache/mediapipe-web``, as ``tests/test_web.py`` uses it). It is
served by Python's ``http.server`` on 127.0.0.1 in a thread of this process: no network
time and no compression (what gzip would save is computed from the files).

Each round, in turn:

* the peer: sentigru's Python LiteRT predictor (``sentigru.load()``, loaded once) given
  the same texts one per ``predict`` call, as an app classifying what a person types
  would; median ms per text;
* one first visit per mode, each in a fresh browser profile (a new user-data folder, so
  empty HTTP and compiled-code caches): bytes downloaded per file (Chromium's
  ``encodedDataLength``: bodies and headers, as received), the time from navigation start
  to ``window.sentigru.ready`` (which includes the page's warm-up call), the first
  ``classify`` after it, then every text once, one ``classify`` call at a time (median
  and 90th percentile ms per text), WebAssembly memory (the ``buffer.byteLength`` of
  the ``WebAssembly.Memory`` MediaPipe's module exports) and the JavaScript heap
  (``Runtime.getHeapUsage``'s ``usedSize``) after the load and after the texts; labels
  and scores are compared with the peer's;
* a repeat visit in the same profile (a new tab, the first closed): the HTTP and
  compiled-code caches are warm; bytes and the time to ready.

Modes: ``desktop`` (1280 x 720); ``phone`` (412 x 915 CSS pixels at device scale 2.625,
a mobile user agent, touch, and 4x CPU throttling by ``Emulation.setCPUThrottlingRate``,
which slows the page's main thread, where MediaPipe classifies, and not the browser's
other threads); ``nosimd`` (desktop with the SIMD probe of MediaPipe's
``FilesetResolver`` failing, so the page gets the no-SIMD WebAssembly build older
browsers get). Speeds are given as raw medians and as the ratio of the browser's median
ms per text to the peer's median in the same round (the median of those ratios): the
machine's speed and load cancel out of the ratio, not out of the ms.

Texts: 100 short reviews, a seeded sample of ``data/reviews.tsv`` and
``data/reviews_test.tsv``; 100 IMDB reviews, a seeded sample of
``../shared/data/imdb/train.tsv.gz`` (beside the repository) when it is there, else that
row is left out.

Benchmark-only dependencies: Chromium (``apt-get install chromium``), the ``playwright``
Python package (the ``test`` extra), and the npm package at the version sentigru pins:
``npm install --prefix .cache/mediapipe-web @mediapipe/tasks-text@1.0.1``.

    python benchmarks/web_cost.py

Writes ``benchmarks/web_cost.md`` and ``benchmarks/web_cost.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import platform
import random
import re
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
MODEL = ROOT / "export" / "sentigru-sentiment.tflite"
PACKAGE = ROOT / ".cache" / "mediapipe-web"
SEED = 20251
PROBE = "A charming, funny film with a wonderful cast."
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 720}}
PHONE = {  # a Pixel-like phone, as tests/test_web.py emulates it
    "viewport": {"width": 412, "height": 915},
    "device_scale_factor": 2.625,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
}
MODES = {
    "desktop": {"context": DESKTOP, "throttle": 1, "simd": True},
    "phone": {"context": PHONE, "throttle": 4, "simd": True},
    "nosimd": {"context": DESKTOP, "throttle": 1, "simd": False},
}
MODE_NAMES = {
    "desktop": "desktop",
    "phone": "phone, 4x CPU throttling",
    "nosimd": "desktop, no-SIMD build",
}

# Before the page's own scripts: note when `window.sentigru.ready` resolves (ms since
# navigation start), keep the WebAssembly instances' exported memories, and where asked
# fail MediaPipe's SIMD probe (a WebAssembly module of a few dozen bytes) so that its
# FilesetResolver picks the no-SIMD build.
INIT_SCRIPT = """
(() => {
  const noSimd = %s;
  window.__memories = [];
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    for (const value of Object.values(instance?.exports ?? {})) {
      if (value instanceof WebAssembly.Memory) window.__memories.push(value);
    }
    return result;
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (source, imports) {
    const size = source?.byteLength;
    if (noSimd && size !== undefined && size < 100) {
      return Promise.reject(new WebAssembly.CompileError("SIMD refused by the benchmark"));
    }
    return instantiate.call(this, source, imports).then(keep);
  };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) {
    WebAssembly.instantiateStreaming = function (source, imports) {
      return streaming.call(this, source, imports).then(keep);
    };
  }
  let api;
  Object.defineProperty(window, "sentigru", {
    configurable: true,
    get: () => api,
    set: (value) => {
      api = value;
      value.ready.then(
        () => { window.__readyAt = performance.now(); },
        (error) => { window.__readyError = String(error?.message ?? error); },
      );
    },
  });
})();
"""

# In the page, after `ready`: the first classify, then each text once, one call at a time.
MEASURE_TEXTS = """
async ([probe, sets]) => {
  const t0 = performance.now();
  await window.sentigru.classify(probe);
  const first = performance.now() - t0;
  const out = {};
  for (const [name, texts] of Object.entries(sets)) {
    const ms = [], results = [];
    for (const text of texts) {
      const start = performance.now();
      const ranked = await window.sentigru.classify(text);
      ms.push(performance.now() - start);
      results.push(ranked);
    }
    out[name] = { ms, results };
  }
  return { first, sets: out };
}
"""
MEMORY = "() => window.__memories.reduce((sum, m) => sum + m.buffer.byteLength, 0)"


def tsv_texts(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        next(stream)
        return [line.rstrip("\n").split("\t", 1)[1] for line in stream if "\t" in line]


def workloads(short: int, imdb: int) -> dict[str, list[str]]:
    rng = random.Random(SEED)
    reviews = [t for n in ("reviews.tsv", "reviews_test.tsv") for t in tsv_texts(ROOT / "data" / n)]
    sets = {"short": rng.sample(reviews, short)}
    path = SHARED / "imdb" / "train.tsv.gz"
    if imdb and path.is_file():
        sets["imdb"] = rng.sample(tsv_texts(path), imdb)
    return sets


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def kind_of(path: str) -> str:
    if path.endswith(".wasm"):
        return "WebAssembly"
    if path.endswith(".tflite"):
        return "model"
    if "/mediapipe/" in path:
        return "MediaPipe's JavaScript"
    return "the page (HTML, JS, CSS)"


@contextlib.contextmanager
def serving(root: Path) -> Iterator[str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            ANSWERED.append(int(code))

        def copyfile(self, source: Any, outputfile: Any) -> None:
            with contextlib.suppress(ConnectionError):
                super().copyfile(source, outputfile)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


ANSWERED: list[int] = []
"""The HTTP status of every answer the server sent, in order."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Tab:
    """A page with its DevTools protocol channel: network bytes per URL, throttling, heap."""

    def __init__(self, context: Any, throttle: int) -> None:
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.cached: dict[str, bool] = {}
        self.cdp.send("Network.enable")
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestServedFromCache", self._from_cache)
        if throttle != 1:
            self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})

    def _response(self, event: dict) -> None:
        response = event["response"]
        self.urls[event["requestId"]] = response["url"]
        self.cached[event["requestId"]] = bool(
            response.get("fromDiskCache") or response.get("fromMemoryCache")
        )

    def _from_cache(self, event: dict) -> None:
        self.cached[event["requestId"]] = True

    def _finished(self, event: dict) -> None:
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def open(self, url: str) -> float:
        """Navigate and wait for ``ready``; ms from navigation start to ``ready``."""
        self.page.goto(url)
        # app.js, a module script, has run by the load event goto waits for; the init
        # script's callbacks on `ready` were attached first, so they have run by this one's.
        self.page.evaluate("() => window.sentigru.ready.then(() => 0, () => 0)")
        error = self.page.evaluate("window.__readyError")
        if error:
            raise RuntimeError(f"the page did not get ready: {error}")
        return float(self.page.evaluate("window.__readyAt"))

    def downloads(self) -> list[dict[str, Any]]:
        """Per request that finished: its path, bytes received, served from cache."""
        rows = []
        for request, url in self.urls.items():
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            rows.append(
                {
                    "path": urlsplit(url).path,
                    "bytes": self.bytes.get(request, 0),
                    "cache": self.cached.get(request, False),
                }
            )
        return sorted(rows, key=lambda row: row["path"])

    def heap(self) -> int:
        return int(self.cdp.send("Runtime.getHeapUsage")["usedSize"])

    def memory(self) -> int:
        return int(self.page.evaluate(MEMORY))


def visit(
    playwright: Any, chromium: str, url: str, mode: str, texts: dict[str, list[str]]
) -> dict[str, Any]:
    """One first visit in a fresh profile, its texts, then one repeat visit."""
    settings = MODES[mode]
    with tempfile.TemporaryDirectory(prefix="web-cost-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            **settings["context"],
        )
        try:
            context.add_init_script(INIT_SCRIPT % ("true" if not settings["simd"] else "false"))
            for blank in context.pages:  # the window a persistent context opens with
                blank.close()
            tab = Tab(context, settings["throttle"])
            version = tab.cdp.send("Browser.getVersion")["product"]
            ready = tab.open(url)
            load = {"memory": tab.memory(), "heap": tab.heap()}
            downloads = tab.downloads()
            measured = tab.page.evaluate(MEASURE_TEXTS, [PROBE, texts])
            after = {"memory": tab.memory(), "heap": tab.heap()}
            tab.page.close()
            again = Tab(context, settings["throttle"])
            mark = len(ANSWERED)
            repeat_ready = again.open(url)
            answers = ANSWERED[mark:]
            repeat_downloads = again.downloads()
            again.page.close()
        finally:
            context.close()
    return {
        "browser": version,
        "ready_ms": ready,
        "first_result_ms": measured["first"],
        "texts": measured["sets"],
        "after_load": load,
        "after_texts": after,
        "downloads": downloads,
        "repeat_ready_ms": repeat_ready,
        "repeat_downloads": repeat_downloads,
        "repeat_answers": {str(code): answers.count(code) for code in sorted(set(answers))},
    }


def peer_times(classifier: Any, texts: dict[str, list[str]]) -> dict[str, Any]:
    """The Python predictor, one text per ``predict`` call: ms per text and its scores."""
    out = {}
    for name, items in texts.items():
        ms, scores = [], []
        for text in items:
            start = time.perf_counter()
            result = classifier.predict(text, top_k=len(classifier.labels))[0]
            ms.append((time.perf_counter() - start) * 1000)
            scores.append({s["label"]: s["score"] for s in result["scores"]})
        out[name] = {"ms": ms, "scores": scores}
    return out


def agreement(browser: list[list[dict]], peer: list[dict[str, float]]) -> dict[str, float]:
    same = sum(b[0]["label"] == max(p, key=p.__getitem__) for b, p in zip(browser, peer))
    worst = max(abs(s["score"] - p[s["label"]]) for b, p in zip(browser, peer) for s in b)
    return {"same_label": same, "of": len(peer), "max_score_difference": worst}


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "system": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
    }


def summarise(rounds: list[dict[str, Any]], modes: list[str], sets: list[str]) -> dict:
    out: dict[str, Any] = {}
    for mode in modes:
        visits = [r[mode] for r in rounds]
        row: dict[str, Any] = {
            "ready_ms": statistics.median(v["ready_ms"] for v in visits),
            "ready_ms_range": [
                min(v["ready_ms"] for v in visits),
                max(v["ready_ms"] for v in visits),
            ],
            "repeat_ready_ms": statistics.median(v["repeat_ready_ms"] for v in visits),
            "repeat_ready_ms_range": [
                min(v["repeat_ready_ms"] for v in visits),
                max(v["repeat_ready_ms"] for v in visits),
            ],
            "first_result_ms": statistics.median(v["first_result_ms"] for v in visits),
            "first_result_ms_range": [
                min(v["first_result_ms"] for v in visits),
                max(v["first_result_ms"] for v in visits),
            ],
            "memory_after_load": statistics.median(v["after_load"]["memory"] for v in visits),
            "heap_after_load": statistics.median(v["after_load"]["heap"] for v in visits),
            "memory_after_texts": statistics.median(v["after_texts"]["memory"] for v in visits),
            "heap_after_texts": statistics.median(v["after_texts"]["heap"] for v in visits),
            "texts": {},
        }
        for name in sets:
            medians = [statistics.median(v["texts"][name]["ms"]) for v in visits]
            p90 = [percentile(v["texts"][name]["ms"], 0.9) for v in visits]
            ratios = [
                statistics.median(r[mode]["texts"][name]["ms"])
                / statistics.median(r["peer"][name]["ms"])
                for r in rounds
            ]
            row["texts"][name] = {
                "ms": statistics.median(medians),
                "ms_range": [min(medians), max(medians)],
                "p90_ms": statistics.median(p90),
                "p90_ms_range": [min(p90), max(p90)],
                "ratio_to_peer": statistics.median(ratios),
                "ratio_range": [min(ratios), max(ratios)],
                "agreement": [r[mode]["agreement"][name] for r in rounds],
            }
        out[mode] = row
    out["peer"] = {
        name: {
            "ms": statistics.median(statistics.median(r["peer"][name]["ms"]) for r in rounds),
            "ms_range": [
                min(statistics.median(r["peer"][name]["ms"]) for r in rounds),
                max(statistics.median(r["peer"][name]["ms"]) for r in rounds),
            ],
        }
        for name in sets
    }
    return out


def download_table(site: Path, visit_rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per kind of file: requests, bytes received, the files' bytes and their gzip -9."""
    kinds: dict[str, dict[str, int]] = {}
    for row in visit_rows:
        kind = kind_of(row["path"])
        entry = kinds.setdefault(kind, {"requests": 0, "received": 0, "file": 0, "gzip": 0})
        entry["requests"] += 1
        entry["received"] += row["bytes"]
        local = site / row["path"].lstrip("/")
        if row["path"].endswith("/"):
            local = local / "index.html"
        if local.is_file():
            data = local.read_bytes()
            entry["file"] += len(data)
            entry["gzip"] += gzip_size(data)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=5, help="first visits per mode")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--short", type=int, default=100, help="short reviews")
    parser.add_argument("--imdb", type=int, default=100, help="IMDB reviews (0: none)")
    parser.add_argument("--model", type=Path, default=MODEL, help="the phone file the site runs")
    parser.add_argument("--mediapipe-dir", type=Path, default=PACKAGE)
    parser.add_argument(
        "--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser")
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "web_cost")
    parser.add_argument(
        "--from-json", action="store_true", help="only rewrite OUT.md from OUT.json"
    )
    args = parser.parse_args()
    if args.from_json:
        result = json.loads(args.out.with_suffix(".json").read_text("utf-8"))
        args.out.with_suffix(".md").write_text(report(result), "utf-8")
        return

    if not args.chromium:
        parser.error("no chromium on PATH (apt-get install chromium), or give --chromium")
    from playwright.sync_api import sync_playwright

    import sentigru
    from sentigru.exporters.web import find_mediapipe_package

    texts = workloads(args.short, args.imdb)
    package = find_mediapipe_package(args.mediapipe_dir)
    mediapipe = json.loads((package / "package.json").read_text("utf-8"))["version"]
    classifier = sentigru.load()
    peer_file = classifier.path.read_bytes()
    classifier.predict(PROBE)  # the peer's own warm-up
    loads: list[float] = []
    rounds: list[dict[str, Any]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="web-cost-") as tmp:
        site = Path(tmp) / "site"
        sentigru.export(args.model, site, format="web", mediapipe_dir=package)
        page_bytes = sum((site / n).stat().st_size for n in ("index.html", "app.js", "style.css"))
        with serving(site) as url, sync_playwright() as playwright:
            for i in range(args.visits):
                loads.append(os.getloadavg()[0])
                done: dict[str, Any] = {"peer": peer_times(classifier, texts)}
                order = args.modes if i % 2 == 0 else args.modes[::-1]
                for mode in order:
                    seen = visit(playwright, args.chromium, url, mode, texts)
                    seen["agreement"] = {
                        name: agreement(
                            seen["texts"][name]["results"], done["peer"][name]["scores"]
                        )
                        for name in texts
                    }
                    for name in texts:  # keep the times, not every score, in the JSON
                        seen["texts"][name] = {
                            "ms": [round(x, 3) for x in seen["texts"][name]["ms"]]
                        }
                    done[mode] = seen
                    print(
                        f"visit {i + 1} {mode}: ready {seen['ready_ms']:.0f} ms, repeat "
                        f"{seen['repeat_ready_ms']:.0f} ms, "
                        + ", ".join(
                            f"{n} {statistics.median(seen['texts'][n]['ms']):.1f} ms/text"
                            for n in texts
                        ),
                        flush=True,
                    )
                for name in texts:
                    done["peer"][name] = {"ms": [round(x, 3) for x in done["peer"][name]["ms"]]}
                print(
                    f"visit {i + 1} peer: "
                    + ", ".join(
                        f"{n} {statistics.median(done['peer'][n]['ms']):.2f} ms/text" for n in texts
                    ),
                    flush=True,
                )
                rounds.append(done)
            loads.append(os.getloadavg()[0])
        first = rounds[0][args.modes[0]]
        downloads = {
            mode: download_table(site, rounds[0][mode]["downloads"]) for mode in args.modes
        }
        repeat = {
            mode: {
                "received": sum(row["bytes"] for row in rounds[0][mode]["repeat_downloads"]),
                "requests": len(rounds[0][mode]["repeat_downloads"]),
                "answers": rounds[0][mode]["repeat_answers"],
            }
            for mode in args.modes
        }
    model_size = args.model.stat().st_size
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "load_average_1min": [round(x, 2) for x in loads],
        "minutes": round((time.perf_counter() - start) / 60, 1),
        "browser": first["browser"],
        "mediapipe": mediapipe,
        "model": {
            "file": str(args.model.resolve().relative_to(ROOT))
            if args.model.resolve().is_relative_to(ROOT)
            else args.model.name,
            "bytes": model_size,
            "same_as_peer": args.model.read_bytes() == peer_file,
        },
        "page_bytes": page_bytes,
        "visits": args.visits,
        "modes": args.modes,
        "texts": {name: len(items) for name, items in texts.items()},
        "mean_words": {
            name: statistics.mean(len(t.split()) for t in items) for name, items in texts.items()
        },
        "imdb_file": (SHARED / "imdb" / "train.tsv.gz").is_file(),
        "downloads": downloads,
        "repeat_downloads": repeat,
        "summary": summarise(rounds, args.modes, list(texts)),
        "rounds": rounds,
    }
    text = json.dumps(result, indent=1)
    # a list of numbers on one line: the per-text times stay readable in a diff
    text = re.sub(r"\[[-0-9.e+\s,]*\]", lambda m: json.dumps(json.loads(m.group(0))), text)
    args.out.with_suffix(".json").write_text(text + "\n", "utf-8")
    args.out.with_suffix(".md").write_text(report(result), "utf-8")
    print(report(result))


def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def size(n: float) -> str:
    return f"{n / 1e3:.0f} kB" if n < 1e5 else mb(n)


def span(values: list[float], fmt: str = ".0f") -> str:
    low, high = values
    return f"{low:{fmt}}–{high:{fmt}}"


SET_NAMES = {"short": "short reviews", "imdb": "IMDB reviews"}


def report(r: dict[str, Any]) -> str:
    s = r["summary"]
    modes = r["modes"]
    sets = list(r["texts"])
    loads = r["load_average_1min"]
    m = r["machine"]
    lines = [
        "# What the web export costs a visitor",
        "",
        "Bytes downloaded, time to a ready model, time per text and memory of the site "
        "`sentigru export --format web --mediapipe-dir .cache/mediapipe-web` writes, in "
        "headless Chromium, against sentigru's Python LiteRT predictor classifying the same "
        "texts one per call in the same run (see the script's docstring). Reproduce: "
        "Chromium, `pip install playwright`, `npm install --prefix .cache/mediapipe-web "
        f"@mediapipe/tasks-text@{r['mediapipe']}`, then `python benchmarks/web_cost.py "
        f"--visits {r['visits']}` (the IMDB reviews from `../shared/data`, beside the "
        "repository, when it is there).",
        "",
        f"One run, {r['date']}, {r['minutes']} minutes: {m['cpu']}, {m['cores']} cores, "
        f"{m['system']}; {r['browser']} (headless), MediaPipe Tasks for Web "
        f"{r['mediapipe']}; the phone file `{r['model']['file']}`, {r['model']['bytes']:,} "
        f"bytes ({'the bundled model, the peer' if r['model']['same_as_peer'] else 'NOT the peer'}"
        f"'s file). The site was served by Python's `http.server` on 127.0.0.1 (no network "
        "time, no compression). The machine was shared with other work: its 1-minute load "
        f"average was {min(loads):.1f} to {max(loads):.1f} at the start of each round and "
        f"at the end ({m['cores']} means every core busy), so the milliseconds hold for this "
        "machine at this load; the ratios to the peer, measured in the same round, depend "
        "less on either. "
        f"{r['visits']} rounds: each the peer, then one first visit per mode in a fresh "
        "browser profile (the modes in turn, reversed every other round) and a repeat "
        "visit in the same profile; each figure is the median over the rounds, [in "
        "brackets: the range of the rounds].",
        "",
        "Modes: " + "; ".join(MODE_NAMES[mode] for mode in modes) + ". *Phone* is a 412 x "
        "915 viewport at device scale 2.625 with a mobile user agent and touch, and 4x CPU "
        "throttling (`Emulation.setCPUThrottlingRate`, which slows the page's main thread, "
        "where MediaPipe classifies, not the browser's other threads); *no-SIMD* forces the "
        "WebAssembly build browsers without WebAssembly SIMD get.",
        "",
        "Texts: "
        + "; ".join(
            f"{r['texts'][n]} {SET_NAMES[n]} ({r['mean_words'][n]:.0f} words on average)"
            for n in sets
        )
        + (
            "."
            if "imdb" in sets or r["imdb_file"] is None
            else " (no IMDB reviews: `../shared/data/imdb/train.tsv.gz` is not there)."
            if not r["imdb_file"]
            else " (no IMDB reviews: `--imdb 0`)."
        ),
        "",
        "## Downloaded on a first visit",
        "",
        "Bytes received (bodies and headers, Chromium's `encodedDataLength`), the files' "
        "bytes, and the files compressed with `gzip -9` (what a host that compresses "
        "sends):",
        "",
        "| mode | file kind | requests | received | file | gzip -9 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for mode in modes:
        kinds = r["downloads"][mode]
        for kind, e in kinds.items():
            lines.append(
                f"| {MODE_NAMES[mode]} | {kind} | {e['requests']} | {size(e['received'])} | "
                f"{size(e['file'])} | {size(e['gzip'])} |"
            )
        total = {
            k: sum(e[k] for e in kinds.values()) for k in ("requests", "received", "file", "gzip")
        }
        lines.append(
            f"| {MODE_NAMES[mode]} | **all** | {total['requests']} | "
            f"**{mb(total['received'])}** | {mb(total['file'])} | **{mb(total['gzip'])}** |"
        )
    lines += ["", "On the repeat visit (same profile, new tab), received:", ""]
    for mode in modes:
        e = r["repeat_downloads"][mode]
        answers = ", ".join(f"{n} with {code}" for code, n in e["answers"].items())
        lines.append(
            f"- {MODE_NAMES[mode]}: {e['requests']} requests, {size(e['received'])} received; "
            f"the server answered {answers or 'none'} (304: not modified)"
        )
    lines += [
        "",
        "`http.server` sends `Last-Modified` and no `Cache-Control`, and the site's files "
        "were written seconds before, so Chromium asks again for each file on the repeat "
        "visit and gets headers only (a 304) for the ones it holds: a host whose files are "
        "older, or that sends `Cache-Control: max-age`, spares those requests too.",
    ]
    lines += [
        "",
        "## Time and memory",
        "",
        "| | " + " | ".join(MODE_NAMES[mode] for mode in modes) + " |",
        "|---|" + "---|" * len(modes),
    ]

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(s[mode]) for mode in modes) + " |")

    row(
        "page opened → model ready, first visit (includes the page's warm-up call)",
        lambda x: (
            f"{x['ready_ms'] / 1000:.2f} s [{span([v / 1000 for v in x['ready_ms_range']], '.2f')}]"
        ),
    )
    row(
        "the same, repeat visit (HTTP and compiled-code caches warm)",
        lambda x: (
            f"{x['repeat_ready_ms'] / 1000:.2f} s "
            f"[{span([v / 1000 for v in x['repeat_ready_ms_range']], '.2f')}]"
        ),
    )
    row(
        "first result after ready",
        lambda x: f"{x['first_result_ms']:.1f} ms [{span(x['first_result_ms_range'], '.1f')}]",
    )
    for name in sets:
        row(
            f"ms per text, {r['texts'][name]} {SET_NAMES[name]}: median [range]; 90th percentile",
            lambda x, n=name: (
                f"{x['texts'][n]['ms']:.1f} [{span(x['texts'][n]['ms_range'], '.1f')}]; "
                f"{x['texts'][n]['p90_ms']:.1f}"
            ),
        )
        row(
            f"the same, as a ratio to the peer's ms per text ({s['peer'][name]['ms']:.2f} ms "
            f"[{span(s['peer'][name]['ms_range'], '.2f')}])",
            lambda x, n=name: (
                f"**{x['texts'][n]['ratio_to_peer']:.1f}x** "
                f"[{span(x['texts'][n]['ratio_range'], '.1f')}]"
            ),
        )
    row(
        "WebAssembly memory; JavaScript heap, after load",
        lambda x: f"{mb(x['memory_after_load'])}; {mb(x['heap_after_load'])}",
    )
    row(
        "the same, after the texts",
        lambda x: f"{mb(x['memory_after_texts'])}; {mb(x['heap_after_texts'])}",
    )
    lines += ["", "In short:", ""]
    first = modes[0]
    total = {k: sum(e[k] for e in r["downloads"][first].values()) for k in ("received", "gzip")}
    lines.append(
        f"- a first visit downloads {mb(total['received'])} ({mb(total['gzip'])} from a host "
        "that compresses with gzip -9), "
        + "; ".join(
            f"{MODE_NAMES[mode]}: ready after {s[mode]['ready_ms'] / 1000:.2f} s, "
            f"{s[mode]['repeat_ready_ms'] / 1000:.2f} s on a repeat visit"
            for mode in modes
        )
    )
    for name in sets:
        lines.append(
            f"- {SET_NAMES[name]}, ms per text: "
            + "; ".join(
                f"{MODE_NAMES[mode]} {s[mode]['texts'][name]['ms']:.1f} "
                f"({s[mode]['texts'][name]['ratio_to_peer']:.1f}x the Python predictor's "
                f"{s['peer'][name]['ms']:.2f})"
                for mode in modes
            )
        )
    if "desktop" in modes and "nosimd" in modes:
        lines.append(
            "- the no-SIMD build takes "
            + " and ".join(
                f"{s['nosimd']['texts'][n]['ms'] / s['desktop']['texts'][n]['ms']:.1f}x the "
                f"SIMD build's ms per text on the {SET_NAMES[n]}"
                for n in sets
            )
        )
    lines.append(
        "- memory: "
        + "; ".join(
            f"{MODE_NAMES[mode]} {mb(s[mode]['memory_after_load'])} of WebAssembly memory "
            f"and {mb(s[mode]['heap_after_load'])} of JavaScript heap"
            for mode in modes
        )
    )
    lines += ["", "Agreement with the peer, every round:"]
    lines.append("")
    for mode in modes:
        for name in sets:
            agreements = s[mode]["texts"][name]["agreement"]
            same = sum(a["same_label"] for a in agreements)
            of = sum(a["of"] for a in agreements)
            worst = max(a["max_score_difference"] for a in agreements)
            lines.append(
                f"- {MODE_NAMES[mode]}, {SET_NAMES[name]}: the same label on {same} of {of}, "
                f"scores within {worst:.1e}"
            )
    lines += [
        "",
        "The peer is `sentigru.load()` then `predict(text)`, one text per call, in this "
        "process (tokenizing and the result's dict included); the browser's figure is one "
        "`window.sentigru.classify(text)` (MediaPipe's `classify` and sorting the labels). "
        "Both run a single text at the file's own input shape, `[1, 1024]` ids, whatever "
        "its length (the Python predictor's length buckets are for many texts at once).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
