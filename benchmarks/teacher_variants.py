"""Is there a stronger character n-gram teacher of the same kind for ``--ngram-teacher``?

The recurrent student stays near its teacher's out-of-fold accuracy (languages.md), so a
teacher that reads the training texts better would be a lever. This measures variants of
the teacher (TF-IDF character n-grams + logistic regression, scikit-learn) by their
out-of-fold accuracy on each set's training split (the same 90 % ``languages.py`` trains
on; the dev files are not read), in one run:

* ``1-4, C=4, 5 folds``: what ``sentigru/ngram_teacher.py`` fits (its NumPy fit matched
  scikit-learn's to 0.01 points on the Chinese texts);
* n-grams up to 5 characters; C 1 and 16; naive-Bayes log-count-ratio weighting of the
  features (as NB-SVM); 10 folds (each fold teacher sees 90 % of the texts, not 80 %).

    python benchmarks/teacher_variants.py --data DATA_FOLDER

Writes ``benchmarks/teacher_variants.json`` and ``benchmarks/teacher_variants.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from languages import SETS, read_rows, split

from sentigru.ngram_teacher import MAX_CHARS

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "1-4, C=4, 5 folds (the teacher)": {"orders": (1, 4), "C": 4.0, "folds": 5, "nb": False},
    "1-5": {"orders": (1, 5), "C": 4.0, "folds": 5, "nb": False},
    "C=16": {"orders": (1, 4), "C": 16.0, "folds": 5, "nb": False},
    "C=1": {"orders": (1, 4), "C": 1.0, "folds": 5, "nb": False},
    "NB weighting": {"orders": (1, 4), "C": 4.0, "folds": 5, "nb": True},
    "10 folds": {"orders": (1, 4), "C": 4.0, "folds": 10, "nb": False},
}


def nb_weights(x, positive: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Log-count ratio of each feature between the two classes (Wang & Manning, 2012)."""
    p = np.asarray(x[positive].sum(0)).ravel() + 1.0
    q = np.asarray(x[~positive].sum(0)).ravel() + 1.0
    return np.log((p / p.sum()) / (q / q.sum()))


def out_of_fold_accuracy(texts: list[str], labels: np.ndarray, variant: dict) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    predicted = np.empty(len(labels), dtype=labels.dtype)
    folds = StratifiedKFold(variant["folds"], shuffle=True, random_state=7)
    for seen, held in folds.split(texts, labels):
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=variant["orders"],
                                     sublinear_tf=True, min_df=2)  # fmt: skip
        x = vectorizer.fit_transform([texts[i] for i in seen])
        x_held = vectorizer.transform([texts[i] for i in held])
        if variant["nb"]:
            weights = nb_weights(x, labels[seen] == sorted(set(labels))[-1])
            x, x_held = x.multiply(weights).tocsr(), x_held.multiply(weights).tocsr()
        model = LogisticRegression(C=variant["C"], max_iter=2000).fit(x, labels[seen])
        predicted[held] = model.predict(x_held)
    return float(np.mean(predicted == labels))


def write_markdown(results: dict) -> None:
    names = list(VARIANTS)
    lines = [
        "# Character n-gram teachers: out-of-fold accuracy on the training texts",
        "",
        "Variants of `--ngram-teacher`'s teacher (TF-IDF character n-grams + logistic",
        "regression, scikit-learn), each measured by its out-of-fold accuracy on a set's",
        "training split (the 90 % that `languages.py` trains on; dev files are not read).",
        "The first column is what sentigru fits; the others change one thing: n-grams up",
        "to 5 characters, C 16 or 1, naive-Bayes log-count-ratio weights (as NB-SVM), 10",
        "folds instead of 5. In brackets: points against the first column.",
        "",
        "| set | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for name, row in results.items():
        base = row[names[0]]["accuracy"]
        cells = [f"{row[names[0]]['accuracy']:.2%}"]
        cells += [f"{row[v]['accuracy']:.2%} ({(row[v]['accuracy'] - base) * 100:+.2f})"
                  for v in names[1:]]  # fmt: skip
        lines.append(f"| {name} ({row['rows']:,} texts) | " + " | ".join(cells) + " |")
    lines += ["", "Reproduce: `python benchmarks/teacher_variants.py --data DATA_FOLDER`.", ""]
    (HERE / "teacher_variants.md").write_text("\n".join(lines), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    args = parser.parse_args()
    results: dict = {}
    for name in args.sets:
        train, _ = split(read_rows(args.data / name / "train.tsv.gz"), SETS[name], name)
        texts = [text[:MAX_CHARS] for _, text in train]
        labels = np.array([label for label, _ in train])
        results[name] = {"rows": len(texts)}
        for variant, settings in VARIANTS.items():
            began = time.perf_counter()
            accuracy = out_of_fold_accuracy(texts, labels, settings)
            seconds = round(time.perf_counter() - began, 1)
            results[name][variant] = {"accuracy": accuracy, "seconds": seconds}
            print(name, variant, f"{accuracy:.4f}", flush=True)
    (HERE / "teacher_variants.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    write_markdown(results)


if __name__ == "__main__":
    main()
