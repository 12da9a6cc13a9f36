"""sentigru's bundled model against what a user would pick instead, in one run.

Peers: TF-IDF + logistic regression (scikit-learn), NB-SVM (naive-Bayes-scaled word
1-2 grams and a linear model), the same given the 49,730 unlabelled IMDB reviews by
self-training, fastText with word bigrams, quantized (the ``fasttext`` module, from the
``fasttext-wheel`` package), and the keras-io bidirectional-LSTM example configuration.
All are trained here on the same training rows the bundled model was trained on
(:func:`bundled_rows`, minus the seeded validation split that ``sentigru train
--val-split`` held out; the BiLSTM on their IMDB rows, as its example), and measured on:

* the IMDB rows of that validation split (the official test split is held out from us;
  ``val_gap.py`` compares the two for these peers),
* the SST-2 dev sentences, the short reviews of ``data/``, three ``reviews-en`` domains
  never trained on (balanced accuracy) and the negation checks of ``data/checks``,
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
import random
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
from sentigru.data.apostrophes import CONTRACTED, CURLY, PENN_TREEBANK
from sentigru.tokenizer import Tokenizer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = Path(__file__).resolve().parents[1] / "data"
LABELS = {"0": "negative", "1": "positive"}
PROBE = "A charming, funny film with a wonderful cast."


def load(name: str) -> Examples:
    return read_examples(SHARED / name, ReadOptions(label_map=LABELS)).examples


MIXED = ("clothing", "fine-food", "products-summaries")
"""The ``reviews-en`` domains the bundled model trains on besides IMDB and SST-2."""
PER_LABEL = 5000
WIDER = {"products-summaries": 15_000}
"""Rows per label of a training domain where the bundled model takes more than
``PER_LABEL`` (candidate I of ``candidates.md``, adopted by its rule)."""
HELD_DOMAINS = ("hotels", "headphones", "tweets")
"""``reviews-en`` domains never trained on, scored by balanced accuracy."""
NEGATION = ("negated_positive", "negated_negative")


def run_commands(doc: str, **commands: Callable[[argparse.Namespace], None]) -> None:
    """Run the subcommand named on the command line (``train``, ``report``: steps that
    take no options), with the script's docstring's first line as its help."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    chosen = parser.add_subparsers(dest="command", required=True)
    for name, run in commands.items():
        chosen.add_parser(name).set_defaults(run=run)
    args = parser.parse_args()
    args.run(args)


def balanced(examples: Examples, per_label: int, seed: str) -> Examples:
    """Up to ``per_label`` rows of each label, a seeded sample (all of a smaller label)."""
    rng = random.Random(seed)
    keep: list[int] = []
    for label in sorted(set(examples.labels)):
        rows = [i for i, x in enumerate(examples.labels) if x == label]
        keep.extend(rng.sample(rows, min(per_label, len(rows))))
    return examples.subset(sorted(keep))


CURLY_SHARE = 0.25


def curled(examples: Examples, share: float = CURLY_SHARE, seed: str = "curly:1") -> Examples:
    """``examples`` with every apostrophe of a seeded ``share`` of the rows that hold a
    contraction (``isn't``, ``it's``) written as :data:`CURLY`, in place: the same rows in
    the same order. Rows written the Penn Treebank way (SST-2's ``is n't``, ``it 's``)
    are left as they are: nobody types them so."""
    eligible = [
        i
        for i, text in enumerate(examples.texts)
        if CONTRACTED.search(text) and not PENN_TREEBANK.search(text)
    ]
    chosen = set(random.Random(seed).sample(eligible, round(share * len(eligible))))
    texts = [t.replace("'", CURLY) if i in chosen else t for i, t in enumerate(examples.texts)]
    return Examples(texts, list(examples.labels))


def domain_mix(per_label: dict[str, int] | None = None) -> Examples:
    """Up to 5,000 reviews per label of each ``MIXED`` domain, in a fixed seeded sample
    (``per_label`` sets another number for a domain)."""
    mixed = Examples()
    for name in MIXED:
        rows = (per_label or {}).get(name, PER_LABEL)
        mixed.extend(balanced(load(f"reviews-en/{name}.tsv.gz"), rows, f"mix:{name}"))
    return mixed


def short_reviews() -> Examples:
    """The 600 short product, restaurant, hotel and app reviews of ``data/`` (written
    for the project; never trained on)."""
    short = Examples()
    for name in ("reviews.tsv", "reviews_test.tsv"):
        short.extend(read_examples(DATA / name).examples)
    return short


def bundled_rows() -> tuple[Examples, Examples]:
    """The bundled model's training file, in order, and its IMDB part: IMDB train, SST-2
    train, :func:`domain_mix` with ``WIDER`` and ``data/negation_train.tsv`` (candidate W
    of ``candidates.md``: I's rows, the negation and shape sentences over a wide lexicon
    with no function word that gives the label away)."""
    imdb = load("imdb/train.tsv.gz")
    combined = Examples()
    negation = read_examples(DATA / "negation_train.tsv").examples
    for part in (imdb, load("sst2/train.tsv.gz"), domain_mix(WIDER), negation):
        combined.extend(part)
    return combined, imdb


def same_data(fingerprint: str, manifest: dict) -> bool:
    """Whether a model was trained on the data with ``fingerprint``; a model trained
    from another (``--init``) records the data's combined with its start's weights hash
    (its Keras file's hash, before that hash was recorded)."""
    from sentigru.train_data import combined

    init = manifest.get("init", {})
    starts = [init[key] for key in ("weights_sha256", "model_sha256") if key in init]
    return manifest["data_fingerprint"] in {
        fingerprint,
        *(combined(fingerprint, s) for s in starts),
    }


def split_seed(manifest: dict, seed: int) -> int:
    """The seed that drew a model's validation split: a model trained from another
    (``--init``) holds out the rows its start held out, and records that seed."""
    recorded = manifest.get("init", {}).get("split_seed")
    return recorded if isinstance(recorded, int) else seed


def splits(folder: bundle.ModelFolder) -> dict[str, Examples]:
    """Re-make the bundled model's split: same rows, same order, same split seed."""
    combined, imdb = bundled_rows()
    if not same_data(combined.fingerprint(), folder.manifest):
        sys.exit("the training data differs from the bundled model's (fingerprint)")
    spec = folder.spec.training
    train, val = combined.stratified_split(spec.val_split, split_seed(folder.manifest, spec.seed))
    imdb_texts = set(imdb.texts)
    imdb_val = val.subset(i for i, t in enumerate(val.texts) if t in imdb_texts)
    imdb_train = train.subset(i for i, t in enumerate(train.texts) if t in imdb_texts)
    short = short_reviews()
    found = {
        "train": train,
        "imdb_train": imdb_train,
        "imdb_val": imdb_val,
        "sst_dev": load("sst2/dev.tsv.gz"),
        "short": short,
    }
    for name in HELD_DOMAINS:
        found[name] = load(f"reviews-en/{name}.tsv.gz")
    for name in NEGATION:
        found[name] = read_examples(DATA / "checks" / f"{name}.tsv").examples
    return found


def accuracy(predict: Callable[[list[str]], list[str]], examples: Examples) -> float:
    return float(np.mean(np.array(predict(examples.texts)) == np.array(examples.labels)))


def balanced_accuracy(predict: Callable[[list[str]], list[str]], examples: Examples) -> float:
    """The mean of the per-label recalls: leaning towards a skewed set's majority label
    gains nothing."""
    guess, truth = np.array(predict(examples.texts)), np.array(examples.labels)
    return float(np.mean([np.mean(guess[truth == x] == x) for x in sorted(set(truth))]))


def phone_predict(folder: bundle.ModelFolder) -> Callable[[list[str]], list[str]]:
    """Labels from the phone file ``sentigru export`` builds for ``folder`` (its spec's
    export settings), run in LiteRT: what a phone would answer."""
    from sentigru.exporters.phone import build_tflite
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
    name = "TF-IDF + logistic regression (1-2 grams)"
    return pickled_peer(name, model, time.perf_counter() - start, data, tmp, repeats)


class NBLogistic:
    """NB-SVM (Wang and Manning, ACL 2012) in its logistic-regression form: binary word
    1-2 gram features scaled by their naive-Bayes log-count ratio, then a linear model.
    The strongest classic peer on IMDB; two labels."""

    def __init__(self, c: float = 4.0) -> None:
        self.c = c

    def fit(self, texts: list[str], labels: list[str]) -> NBLogistic:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression

        self.labels = sorted(set(labels))
        if len(self.labels) != 2:
            raise ValueError("NB-SVM takes two labels")
        self.vectorizer = CountVectorizer(ngram_range=(1, 2), binary=True, min_df=2)
        x = self.vectorizer.fit_transform(texts)
        y = np.array([label == self.labels[1] for label in labels])
        p = 1 + np.asarray(x[y].sum(0)).ravel()
        q = 1 + np.asarray(x[~y].sum(0)).ravel()
        self.ratio = np.log((p / p.sum()) / (q / q.sum()))
        self.linear = LogisticRegression(C=self.c, solver="liblinear", dual=True, max_iter=1000)
        self.linear.fit(x.multiply(self.ratio).tocsr(), y)
        return self

    def scores(self, texts: list[str]) -> np.ndarray:
        x = self.vectorizer.transform(texts).multiply(self.ratio).tocsr()
        return self.linear.predict_proba(x)[:, 1]

    def predict(self, texts: list[str]) -> list[str]:
        return [self.labels[int(s > 0.5)] for s in self.scores(texts)]


def nb_logistic() -> NBLogistic:
    """An unfitted :class:`NBLogistic` from the module ``baselines`` (not ``__main__``),
    so that a new process can unpickle it."""
    import importlib

    return importlib.import_module("baselines").NBLogistic()


def nbsvm(data: dict[str, Examples], tmp: Path, repeats: int) -> dict:
    start = time.perf_counter()
    model = nb_logistic().fit(data["train"].texts, data["train"].labels)
    return pickled_peer(
        "NB-SVM (1-2 grams)", model, time.perf_counter() - start, data, tmp, repeats
    )


SELF_TRAINING_CONFIDENCE = 0.9


def nbsvm_unlabelled(data: dict[str, Examples], tmp: Path, repeats: int) -> dict:
    """NB-SVM given the 49,730 unlabelled IMDB reviews by self-training: trained on the
    labelled rows, it labels the unlabelled ones; those it labels with probability at
    least 0.9 join the rows, and it is trained again (its features and their ratios
    then count the unlabelled text too)."""
    from sentigru.data.files import read_texts

    start = time.perf_counter()
    train = data["train"]
    first = nb_logistic().fit(train.texts, train.labels)
    unlabelled = read_texts(SHARED / "imdb" / "unsup.tsv.gz")
    scores = first.scores(unlabelled)
    sure = [i for i, s in enumerate(scores) if max(s, 1 - s) >= SELF_TRAINING_CONFIDENCE]
    texts = train.texts + [unlabelled[i] for i in sure]
    labels = train.labels + [first.labels[int(scores[i] > 0.5)] for i in sure]
    model = nb_logistic().fit(texts, labels)
    name = f"NB-SVM + self-training on {len(sure):,} of {len(unlabelled):,} unlabelled reviews"
    return pickled_peer(name, model, time.perf_counter() - start, data, tmp, repeats)


def pickled_peer(
    name: str, model, seconds: float, data: dict[str, Examples], tmp: Path, repeats: int
) -> dict:  # type: ignore[no-untyped-def]
    """Measure a scikit-learn-style ``model`` (its size and cold start as a pickle)."""
    path = tmp / "peer.pkl"  # our own file, written and read in this run only
    path.write_bytes(pickle.dumps(model))
    here = str(Path(__file__).resolve().parent)
    code = (
        f"import sys;sys.path.insert(0,{here!r});import pickle;"
        f"m=pickle.load(open({str(path)!r},'rb'));print(m.predict([{PROBE!r}]))"
    )

    def predict(texts: list[str]) -> list[str]:
        return list(model.predict(texts))

    return measure(
        name, predict, data, seconds, path.stat().st_size, [sys.executable, "-c", code], repeats
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
    common = model.labels[0]  # fastText gives no label for an empty text: its commonest
    return [(row[0] if row else common).replace("__label__", "") for row in labels]


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
    200 ids, pre-padded and pre-truncated (a long review keeps its last 200 words, as
    ``pad_sequences`` does), Embedding 128 → BiLSTM 64 → BiLSTM 64 → sigmoid, 2 epochs,
    batch 32, trained as the example is, on the IMDB training rows only. The example sets
    no seed; this one does, so that a run can be repeated (unseeded, one run gave every
    short text one label)."""
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
                kept = row[-200:]
                out[i, -len(kept) :] = kept
        return out

    keras.utils.set_random_seed(7)
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
        "domains": float(np.mean([balanced_accuracy(predict, data[n]) for n in HELD_DOMAINS])),
        "negation": float(np.mean([accuracy(predict, data[n]) for n in NEGATION])),
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
    parser.add_argument(
        "--skip", default="", help="comma-separated: tfidf,nbsvm,nbsvm-unlabelled,fasttext,keras-io"
    )
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
        if "nbsvm" not in skip:
            rows.append(nbsvm(data, Path(tmp), args.repeats))
        if "nbsvm-unlabelled" not in skip:
            rows.append(nbsvm_unlabelled(data, Path(tmp), args.repeats))
        if "fasttext" not in skip:
            rows.append(fasttext_quantized(data, Path(tmp), args.repeats))
        if "keras-io" not in skip:
            rows.append(keras_io_bilstm(data, Path(tmp), args.repeats))
    write(rows, tf_start, data, args)


def _started_note(model: Path) -> list[str]:
    """A model trained from another (``--init``) records the time of its own run only."""
    if "init" not in bundle.read_manifest(model):
        return []
    return [
        "The bundled model's train time is its last training only: one epoch from a built "
        "model (`--init`), whose own training is not in it (`bundled_model.md` has both)."
    ]


def write(rows: list[dict], tf_start: float, data: dict[str, Examples], args) -> None:
    ours = rows[0]
    lines = [
        "# sentigru against the classic baselines",
        "",
        f"One run, {time.strftime('%Y-%m-%d')}, {platform.machine()} with 2 cores, Python "
        f"{platform.python_version()}, made by `python benchmarks/baselines.py`. Every model "
        f"is trained on the bundled model's {len(data['train']):,} training rows (IMDB "
        "train, SST-2 train, up to 5,000 reviews per label of clothing and fine food and "
        "15,000 of product summaries from `reviews-en` and `data/negation_train.tsv`, minus "
        "the bundled model's 10 % validation "
        "split), except the keras-io BiLSTM, which trains as its example does, on the IMDB "
        "rows alone. Accuracy on:",
        "",
        f"* IMDB val: the {len(data['imdb_val']):,} IMDB rows of that validation split "
        "(films shared with training flatter it: `movie_overlap.md`);",
        f"* SST-2 dev: {len(data['sst_dev'])} sentences, never trained on;",
        f"* short reviews: the {len(data['short'])} product, restaurant, hotel and app "
        "reviews of `data/` (written here, never trained on);",
        "* other domains: `reviews-en` hotels, headphones and tweets, never trained on, the "
        "mean of their balanced accuracies (the mean of the per-label recalls);",
        "* negation: the mean over the negated-positive and negated-negative behaviour "
        "checks of `data/checks` (`checklist.md`).",
        "",
        "Cold start: median of "
        f'{args.repeats} new processes classifying one text (`python -c "import '
        f'tensorflow"` alone: {tf_start:.2f} s in the same run). Latency: median of 200 '
        "single IMDB reviews. Batch: one timed call on all IMDB val reviews after 64 as a "
        "warm-up, one run, not a median (`bulk_speed.md` times sentigru's bulk path against "
        "TF-IDF over 9 rounds, set-up included). Ratios are to sentigru.",
        *_started_note(args.model),
        "",
        "| model | IMDB val | SST-2 dev | short reviews | other domains | negation | train "
        "time | file | cold start | single text | batch texts/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['imdb_val']:.4f} | {r['sst_dev']:.4f} | {r['short']:.4f} | "
            f"{r['domains']:.4f} | {r['negation']:.4f} | {r['train_s']:.0f} s | "
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
