"""sentigru's bundled model against what a user would pick instead, in one run.

Peers: TF-IDF + logistic regression (scikit-learn), fastText with word bigrams,
quantized (the ``fasttext`` module, from the ``fasttext-wheel`` package), and the
keras-io bidirectional-LSTM example configuration. All are trained here on the same
training rows the bundled model was trained on (IMDB train + SST-2 train, minus the
seeded validation split that ``sentigru train --val-split`` held out), and measured on:

* the IMDB rows of that validation split (the official test split is held out from us;
  ``val_gap.py`` compares the two for these peers),
* the SST-2 dev sentences,
* single-text latency, batch throughput, cold start of a one-text prediction in a new
  process (median of repeats), training time and model file size.

Benchmark-only dependencies: ``pip install scikit-learn fasttext-wheel``.

    python benchmarks/baselines.py --model sentigru/models/default

Writes ``benchmarks/RESULTS.md`` and ``benchmarks/baselines.json``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sentigru import bundle
from sentigru.data import Examples, ReadOptions, read_examples
from sentigru.tokenizer import Tokenizer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = Path(__file__).resolve().parents[1] / "data"
LABELS = {"0": "negative", "1": "positive"}
PROBE = "A charming, funny film with a wonderful cast."


def load(name: str) -> Examples:
    return read_examples(SHARED / name, ReadOptions(label_map=LABELS)).examples


def splits(folder: bundle.ModelFolder) -> dict[str, Examples]:
    """Re-make the bundled model's split: same files, same order, same seed."""
    imdb, sst = load("imdb/train.tsv.gz"), load("sst2/train.tsv.gz")
    combined = Examples()
    combined.extend(imdb)
    combined.extend(sst)
    if combined.fingerprint() != folder.manifest["data_fingerprint"]:
        sys.exit("the training data differs from the bundled model's (fingerprint)")
    spec = folder.spec.training
    train, val = combined.stratified_split(spec.val_split, spec.seed)
    imdb_texts = set(imdb.texts)
    imdb_val = val.subset(i for i, t in enumerate(val.texts) if t in imdb_texts)
    imdb_train = train.subset(i for i, t in enumerate(train.texts) if t in imdb_texts)
    short = Examples()
    for name in ("reviews.tsv", "reviews_test.tsv"):  # written here; never trained on
        short.extend(read_examples(DATA / name).examples)
    return {
        "train": train,
        "imdb_train": imdb_train,
        "imdb_val": imdb_val,
        "sst_dev": load("sst2/dev.tsv.gz"),
        "short": short,
    }


def accuracy(predict: Callable[[list[str]], list[str]], examples: Examples) -> float:
    return float(np.mean(np.array(predict(examples.texts)) == np.array(examples.labels)))


def phone_predict(folder: bundle.ModelFolder) -> Callable[[list[str]], list[str]]:
    """Labels from the phone file ``sentigru export`` builds for ``folder`` (its spec's
    export settings), run in LiteRT: what a phone would answer."""
    from sentigru.export.phone import build_tflite
    from sentigru.predictor import LiteRTPredictor

    export = folder.spec.export
    content = build_tflite(folder, quantize=export.quantize, runtime=export.runtime)
    phone = LiteRTPredictor(content, str(folder.path))
    return lambda texts: [phone.labels[i] for i in phone.scores(texts).argmax(1)]


def median_ms(call: Callable[[str], object], texts: list[str], repeats: int = 200) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        call(texts[i % len(texts)])
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def per_second(predict: Callable[[list[str]], object], texts: list[str]) -> float:
    predict(texts[:64])
    start = time.perf_counter()
    predict(texts)
    return len(texts) / (time.perf_counter() - start)


def cold_start(command: list[str], repeats: int) -> float:
    """Median wall time of a whole process, start to answer."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- peers ------------------------------------------------------------------------------


def tfidf_pipeline():  # type: ignore[no-untyped-def]
    """TF-IDF of words and word pairs + logistic regression, unfitted."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=500_000),
        LogisticRegression(C=8, max_iter=2000),
    )


def tfidf_lr(data: dict[str, Examples], tmp: Path, repeats: int) -> dict:
    start = time.perf_counter()
    model = tfidf_pipeline().fit(data["train"].texts, data["train"].labels)
    seconds = time.perf_counter() - start
    path = tmp / "tfidf.pkl"  # our own file, written and read in this run only
    path.write_bytes(pickle.dumps(model))
    code = f"import pickle;m=pickle.load(open({str(path)!r},'rb'));print(m.predict([{PROBE!r}]))"

    def predict(texts: list[str]) -> list[str]:
        return list(model.predict(texts))

    return measure(
        "TF-IDF + logistic regression (1-2 grams)",
        predict,
        data,
        seconds,
        path.stat().st_size,
        [sys.executable, "-c", code],
        repeats,
    )


def fasttext_fit(train: Examples, tmp: Path):  # type: ignore[no-untyped-def]
    """fastText with word bigrams, trained on ``train`` and quantized."""
    import fasttext

    train_file = tmp / "ft.train"
    with train_file.open("w", encoding="utf-8") as stream:
        for text, label in zip(train.texts, train.labels):
            stream.write(f"__label__{label} {' '.join(text.split())}\n")
    model = fasttext.train_supervised(
        str(train_file), wordNgrams=2, epoch=5, lr=0.5, dim=50, bucket=2_000_000, verbose=0
    )
    model.quantize(input=str(train_file), retrain=True, qnorm=True, cutoff=100_000)
    return model


def fasttext_labels(model, texts: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    # model.predict trips on numpy 2 (np.array(copy=False)); the C++ call is the same.
    lines = [" ".join(t.split()) for t in texts]
    labels, _ = model.f.multilinePredict(lines, 1, 0.0, "")
    return [row[0].replace("__label__", "") for row in labels]


def fasttext_quantized(data: dict[str, Examples], tmp: Path, repeats: int) -> dict:
    start = time.perf_counter()
    model = fasttext_fit(data["train"], tmp)
    seconds = time.perf_counter() - start
    path = tmp / "model.ftz"
    model.save_model(str(path))

    def predict(texts: list[str]) -> list[str]:
        return fasttext_labels(model, texts)

    code = (
        f"import fasttext;m=fasttext.load_model({str(path)!r});"
        f"print(m.f.predict({PROBE!r}, 1, 0.0, ''))"
    )
    return measure(
        "fastText bigrams, quantized",
        predict,
        data,
        seconds,
        path.stat().st_size,
        [sys.executable, "-c", code],
        repeats,
    )


def keras_io_bilstm(data: dict[str, Examples], tmp: Path, repeats: int) -> dict:
    """The keras-io "Bidirectional LSTM on IMDB" configuration: 20k lowercased words,
    200 ids, pre-padded, Embedding 128 → BiLSTM 64 → BiLSTM 64 → sigmoid, 2 epochs,
    batch 32, trained as the example is, on the IMDB training rows only."""
    import keras
    import tensorflow as tf

    from sentigru.tokenizer import Vocabulary

    train = data["imdb_train"]
    vocab = Vocabulary.build((t.lower() for t in train.texts), 20000)
    tokenizer = Tokenizer(vocab, 201)

    def encode(texts: list[str]) -> np.ndarray:
        rows = [tokenizer.ids(t.lower())[1:] for t in texts]
        out = np.zeros((len(rows), 200), np.int32)
        for i, row in enumerate(rows):
            if row:
                out[i, -len(row) :] = row[:200]
        return out

    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(len(vocab), 128),
            keras.layers.Bidirectional(keras.layers.LSTM(64, return_sequences=True)),
            keras.layers.Bidirectional(keras.layers.LSTM(64)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    y = np.array([lab == "positive" for lab in train.labels], np.float32)
    start = time.perf_counter()
    model.fit(encode(train.texts), y, batch_size=32, epochs=2, verbose=2)
    seconds = time.perf_counter() - start
    path = tmp / "bilstm.keras"
    model.save(path)
    run = tf.function(lambda x: model(x, training=False))

    def predict(texts: list[str]) -> list[str]:
        out = []
        for i in range(0, len(texts), 256):
            scores = run(tf.constant(encode(texts[i : i + 256]))).numpy()[:, 0]
            out += ["positive" if s > 0.5 else "negative" for s in scores]
        return out

    code = (
        f"import keras;m=keras.saving.load_model({str(path)!r});"
        "import numpy as np;print(m.predict(np.ones((1,200),'int32'),verbose=0))"
    )
    return measure(
        "keras-io BiLSTM (IMDB rows only, 2 epochs)",
        predict,
        data,
        seconds,
        path.stat().st_size,
        [sys.executable, "-c", code],
        repeats,
    )


def sentigru_bundled(
    data: dict[str, Examples], folder: bundle.ModelFolder, phone: Path, repeats: int
) -> dict:
    from sentigru.predictor import LiteRTPredictor

    single = LiteRTPredictor.load(phone)  # as `sentigru predict` opens it

    def predict(texts: list[str]) -> list[str]:
        return [single.labels[i] for i in single.scores(texts).argmax(1)]

    result = measure(
        "sentigru bundled (phone file, LiteRT)",
        predict,
        data,
        folder.manifest.get("train_seconds", float("nan")),
        phone.stat().st_size,
        ["sentigru", "predict", PROBE],
        repeats,
    )
    result["single_ms"] = median_ms(lambda t: single.scores([t]), data["imdb_val"].texts)
    return result


def measure(
    name: str,
    predict: Callable,
    data: dict[str, Examples],
    train_seconds: float,
    size: int,
    command: list[str],
    repeats: int,
) -> dict:
    imdb = data["imdb_val"]
    result = {
        "name": name,
        "imdb_val": accuracy(predict, imdb),
        "sst_dev": accuracy(predict, data["sst_dev"]),
        "short": accuracy(predict, data["short"]),
        "train_s": train_seconds,
        "bytes": size,
        "cold_start_s": cold_start(command, repeats),
        "single_ms": median_ms(lambda t: predict([t]), imdb.texts),
        "batch_per_s": per_second(predict, imdb.texts),
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=Path("sentigru/models/default"))
    parser.add_argument("--phone", type=Path, default=Path("sentigru/models/default/model.tflite"))
    parser.add_argument("--repeats", type=int, default=7, help="cold starts per peer")
    parser.add_argument("--skip", default="", help="comma-separated: tfidf,fasttext,keras-io")
    args = parser.parse_args()
    folder = bundle.load(args.model)
    data = splits(folder)
    skip = set(args.skip.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(sentigru_bundled(data, folder, args.phone, args.repeats))
        tf_start = cold_start([sys.executable, "-c", "import tensorflow"], args.repeats)
        if "tfidf" not in skip:
            rows.append(tfidf_lr(data, Path(tmp), args.repeats))
        if "fasttext" not in skip:
            rows.append(fasttext_quantized(data, Path(tmp), args.repeats))
        if "keras-io" not in skip:
            rows.append(keras_io_bilstm(data, Path(tmp), args.repeats))
    write(rows, tf_start, data, args)


def write(rows: list[dict], tf_start: float, data: dict[str, Examples], args) -> None:
    ours = rows[0]
    lines = [
        "# sentigru against the classic baselines",
        "",
        f"One run, {time.strftime('%Y-%m-%d')}, {platform.machine()} with 2 cores, Python "
        f"{platform.python_version()}. Trained on the same {len(data['train'])} rows (IMDB "
        f"train + SST-2 train minus the bundled model's validation split); accuracy on the "
        f"{len(data['imdb_val'])} IMDB rows of that split and the {len(data['sst_dev'])} "
        f"SST-2 dev sentences, and on the {len(data['short'])} short product, restaurant, "
        "hotel and app reviews of `data/` (written here, never trained on). Cold start: "
        "median of "
        f'{args.repeats} new processes classifying one text (`python -c "import '
        f'tensorflow"` alone: {tf_start:.2f} s in the same run). Latency: median of 200 '
        "single IMDB reviews. Ratios are to sentigru.",
        "",
        "| model | IMDB val | SST-2 dev | short reviews | train time | file | cold start "
        "| single text | batch texts/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['imdb_val']:.4f} | {r['sst_dev']:.4f} | {r['short']:.4f} | "
            f"{r['train_s']:.0f} s | "
            f"{r['bytes'] / 1e6:.2f} MB ({r['bytes'] / ours['bytes']:.1f}x) | "
            f"{r['cold_start_s']:.2f} s ({r['cold_start_s'] / ours['cold_start_s']:.1f}x) | "
            f"{r['single_ms']:.2f} ms | {r['batch_per_s']:.0f} "
            f"({r['batch_per_s'] / ours['batch_per_s']:.2f}x) |"
        )
    here = Path(__file__).parent
    (here / "RESULTS.md").write_text("\n".join(lines) + "\n", "utf-8")
    (here / "baselines.json").write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
