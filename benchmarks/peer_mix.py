"""Would one phone file holding both the recurrent model and the n-gram peer beat the peer?

The character n-gram peer (TF-IDF character 1-4-grams + logistic regression) reads
Japanese, Chinese and Korean reviews better than sentigru's phone file
(``languages.md``). A phone file could compute such features from the piece ids and
add a linear model's scores to the recurrent model's. Before building that, this
measures its best case: the mean of the two models' probabilities, with the peer
exactly as scikit-learn fits it (no hashing, no in-graph approximation). If even that
mean does not beat the peer, the combined model cannot either.

For each set, on the validation split of ``languages.py`` (90/10 of the training file,
seeded, the dev files not read): the preset (``--preset sentencepiece``, with the n-gram
teacher) and the preset without the teacher (``--no-ngram-teacher``, a student whose
mistakes may differ more from the peer's), seed 7; the peer on the same rows; the mean
of each model's phone-file probabilities with the peer's, weights 1/2 each (the one
mix reported; no weight is tuned on the split).

With ``--english RUN``: the same for an English candidate model of ``candidates.py``
(trained without the film groups of G) against the word 1-2-gram TF-IDF peer of
``baselines.py`` trained on that candidate's rows, on G.

    python benchmarks/peer_mix.py --data DATA_FOLDER [--english runs/proxy/Cu-s1]

``--seed 8`` trains the students with another seed (stored as ``SET s8``). Writes
``benchmarks/peer_mix.json`` (merged with earlier runs); the report is ``peer_mix.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from languages import SETS, read_rows, split, tfidf_model, write_rows

HERE = Path(__file__).resolve().parent
LANGUAGE_SETS = ("marc-ja", "marc-zh", "nsmc")
"""The sets where the peer is ahead (German is not: ``languages.md``)."""
STUDENTS = {"preset": [], "preset without teacher": ["--no-ngram-teacher"]}
SEED = 7


def phone_scores(folder: Path, texts: list[str], labels: list[str]) -> np.ndarray:
    """The phone file's probabilities, columns in the order of ``labels``."""
    import sentigru

    model = sentigru.load(folder / "model.tflite")
    return model.scores(texts)[:, [model.labels.index(label) for label in labels]]


def peer_scores(model, texts: list[str], labels: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    classes = list(model.classes_)
    return model.predict_proba(texts)[:, [classes.index(label) for label in labels]]


def accuracies(student: np.ndarray, peer: np.ndarray, truth: list[str], labels: list[str]) -> dict:
    def accuracy(scores: np.ndarray) -> float:
        return float(np.mean([labels[i] == y for i, y in zip(scores.argmax(1), truth)]))

    return {
        "student": accuracy(student),
        "peer": accuracy(peer),
        "mean": accuracy((student + peer) / 2),
    }


def mix_set(name: str, data: Path, work: Path, seed: int) -> dict:
    """Each student of one set, the peer, and their mean on the validation split."""
    train, val = split(read_rows(data / name / "train.tsv.gz"), SETS[name], name)
    write_rows(work / "train.tsv", train)
    write_rows(work / "val.tsv", val)
    texts, truth = [t for _, t in val], [y for y, _ in val]
    labels = sorted({y for y, _ in train})
    peer = peer_scores(tfidf_model(train), texts, labels)
    result = {"train_rows": len(train), "val_rows": len(val)}
    for student, options in STUDENTS.items():
        out = work / "model"
        subprocess.run(["sentigru", "train", "--data", str(work / "train.tsv"), "--val-data",
                        str(work / "val.tsv"), "--preset", "sentencepiece", *options,
                        "--seed", str(seed), "--out", str(out), "--force"], check=True)  # fmt: skip
        result[student] = accuracies(phone_scores(out, texts, labels), peer, truth, labels)
        print(name, student, result[student], flush=True)
    return result


def mix_english(run: Path) -> dict:
    """An English candidate's phone file, the word TF-IDF peer on its rows, on G."""
    import baselines
    from candidates import CANDIDATES, RUNS

    from sentigru.data import read_examples

    candidate = run.name.rsplit("-s", 1)[0]
    rows = read_examples(RUNS / f"{CANDIDATES[candidate]}.tsv").examples
    g = read_examples(RUNS / "G.tsv").examples
    labels = sorted(set(rows.labels))
    peer = baselines.tfidf_pipeline().fit(rows.texts, rows.labels)
    student = phone_scores(run, g.texts, labels)
    result = accuracies(student, peer_scores(peer, g.texts, labels), g.labels, labels)
    return {"candidate": run.name, "train_rows": len(rows.texts), "G_rows": len(g.texts),
            **result}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--sets", nargs="*", default=list(LANGUAGE_SETS), choices=list(SETS))
    parser.add_argument("--english", type=Path, help="a candidate run folder of candidates.py")
    parser.add_argument("--seed", type=int, default=SEED, help="the students' training seed")
    args = parser.parse_args()
    file = HERE / "peer_mix.json"
    results: dict = json.loads(file.read_text("utf-8")) if file.exists() else {}
    for name in args.sets:
        key = name if args.seed == SEED else f"{name} s{args.seed}"
        with tempfile.TemporaryDirectory() as work:
            results[key] = mix_set(name, args.data, Path(work), args.seed)
    if args.english:
        results["english"] = mix_english(args.english)
        print(results["english"], flush=True)
    file.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
