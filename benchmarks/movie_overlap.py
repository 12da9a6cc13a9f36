"""How much a random IMDB validation split flatters a model.

Reviews of one movie share words no other review has (characters, actors, places,
plot). A random split of IMDB train puts some of a movie's reviews in training and some
in validation; the official test split is made of other movies. So a model that learns
movies, not sentiment, scores higher on a random validation split than on the test.

IMDB train carries no movie ids, so movies are approximated here: two reviews are
linked when they share at least ``--shared`` capitalised words that occur in 2 to
``--max-df`` reviews each (a movie has at most 30 reviews in IMDB), and linked reviews
form groups. The defaults (4 words, 30 reviews) were picked by the groups' sizes alone
(the largest is 75 reviews, where looser settings chain thousands together), never by
an accuracy.

Each draw holds out about ``--rows`` reviews as whole groups (G: no review of their
movie is trained on) and as many reviews drawn at random from the other groups (R: the
rest of their group stays in training). Models trained on everything else (plus SST-2
train) are scored on both; R − G is what having seen a movie's other reviews is worth.

    python benchmarks/movie_overlap.py split --draws 10 --out runs/overlap
    # for some draws N, the bundled model's command (scripts/build_bundled_model.sh) with
    #   --data runs/overlap/dN/train.tsv --val-data runs/overlap/dN/GR.tsv
    #   --out runs/overlap/dN/model   (no --label-map: the files carry label names)
    python benchmarks/movie_overlap.py measure runs/overlap

``measure`` trains TF-IDF + logistic regression (``baselines.tfidf_pipeline``) on each
draw's training rows and scores it, and each draw's sentigru models that exist (through
their phone files), on G and R. Writes ``benchmarks/movie_overlap.md`` and ``.json``.
The draws' files hold shared data: keep them under ``runs/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import accuracy, load, phone_predict, tfidf_pipeline

from sentigru import bundle
from sentigru.data import Examples, read_examples

NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
"""A capitalised word not at the start of a sentence."""
MOVIE_REVIEWS = 30
"""The most reviews one movie has in IMDB; groups of up to twice that are drawn from (a
few groups chain two or three movies together), larger ones are left alone."""


def movie_groups(texts: list[str], shared: int, max_df: int) -> list[int]:
    """A group number per review: reviews sharing ``shared`` rare names, chained."""
    names = [{m.lower() for m in NAME.findall(t.replace("<br />", " "))} for t in texts]
    counts = collections.Counter(n for s in names for n in s)
    holders: dict[str, list[int]] = collections.defaultdict(list)
    for i, s in enumerate(names):
        for n in s:
            if 2 <= counts[n] <= max_df:
                holders[n].append(i)
    pairs: collections.Counter[tuple[int, int]] = collections.Counter()
    for ids in holders.values():
        pairs.update((a, b) for k, a in enumerate(ids) for b in ids[k + 1 :])
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (a, b), count in pairs.items():
        if count >= shared:
            parent[root(a)] = root(b)
    return [root(i) for i in range(len(texts))]


def draw(groups: list[int], rows: int, seed: int) -> tuple[list[int], list[int]]:
    """Indices of G (whole groups) and R (as many reviews of other groups)."""
    members: dict[int, list[int]] = collections.defaultdict(list)
    for i, g in enumerate(groups):  # groups in the order of their first review
        members[g].append(i)
    linked = [g for g, m in members.items() if 1 < len(m) <= 2 * MOVIE_REVIEWS]
    rng = random.Random(seed)
    rng.shuffle(linked)
    held, used = [], set()
    for g in linked:
        if len(held) >= rows:
            break
        held.extend(members[g])
        used.add(g)
    rest = [i for g in linked if g not in used for i in members[g]]
    return held, rng.sample(rest, len(held))


def write_tsv(path: Path, examples: Examples) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("label\ttext\n")
        f.writelines(f"{label}\t{text}\n" for text, label in zip(examples.texts, examples.labels))


def split(args: argparse.Namespace) -> None:
    imdb, sst = load("imdb/train.tsv.gz"), load("sst2/train.tsv.gz")
    groups = movie_groups(imdb.texts, args.shared, args.max_df)
    sizes = collections.Counter(groups)
    print(
        f"{len(sizes)} groups; {sum(s for s in sizes.values() if s > 1)} reviews linked; "
        f"largest {max(sizes.values())}"
    )
    for n in range(args.draws):
        folder = args.out / f"d{n}"
        folder.mkdir(parents=True, exist_ok=True)
        held, rand = draw(groups, args.rows, n)
        out = set(held) | set(rand)
        train = imdb.subset(i for i in range(len(imdb)) if i not in out)
        train.extend(sst)
        write_tsv(folder / "train.tsv", train)
        write_tsv(folder / "G.tsv", imdb.subset(held))
        write_tsv(folder / "R.tsv", imdb.subset(rand))
        write_tsv(folder / "GR.tsv", imdb.subset(held + rand))
        print(f"{folder}: {len(train)} training rows, G and R {len(held)} reviews each")


def measure(args: argparse.Namespace) -> None:
    models = dict(pair.split("=", 1) for pair in args.model) or {
        "sentigru": str(args.folder / "{draw}" / "model")
    }
    rows = []
    draws = [f for f in args.folder.glob("d*") if f.name[1:].isdigit()]
    for folder in sorted(draws, key=lambda f: int(f.name[1:])):
        sets = {name: read_examples(folder / f"{name}.tsv").examples for name in ("G", "R")}
        train = read_examples(folder / "train.tsv").examples
        tfidf = tfidf_pipeline().fit(train.texts, train.labels)
        scores = {"TF-IDF": {k: accuracy(tfidf.predict, v) for k, v in sets.items()}}
        for label, template in models.items():
            path = Path(template.format(draw=folder.name))
            if (path / "manifest.json").exists():
                predict = phone_predict(bundle.load(path))
                scores[label] = {k: accuracy(predict, v) for k, v in sets.items()}
        rows.append({"draw": folder.name, "rows": len(sets["G"]), "scores": scores})
        print(json.dumps(rows[-1]), flush=True)
    report(rows, ["TF-IDF", *models])


def margins(rows: list[dict], labels: list[str]) -> list[str]:
    """Each model's lead over TF-IDF on the same reviews, on G and on R: paired by draw,
    so how hard a draw's reviews happen to be cancels out."""
    lines = []
    for m in labels[1:]:
        paired = [r["scores"] for r in rows if m in r["scores"]]
        if paired:
            lead = {
                k: statistics.mean(100 * (s[m][k] - s["TF-IDF"][k]) for s in paired)
                for k in ("G", "R")
            }
            lines.append(
                f"- {m} minus TF-IDF, same reviews, {len(paired)} draws: {lead['G']:+.2f} "
                f"points on G (movies never seen), {lead['R']:+.2f} on R."
            )
    return lines


def report(rows: list[dict], labels: list[str]) -> None:
    lines = [
        "# What a random IMDB validation split is worth: a movie's other reviews",
        "",
        "Made by `benchmarks/movie_overlap.py` (its docstring tells how the groups and "
        "the draws are made). G: reviews held out with every review of their group; R: as "
        "many reviews of other groups, whose group mates were trained on. Every model is "
        "trained on the same rows (IMDB train minus G and R, plus SST-2 train); sentigru "
        "models are scored through their phone files. Accuracy on G, on R, and R − G in "
        "points.",
        "",
        "| draw | reviews in G and in R | "
        + " | ".join(f"{m}: G | R | R − G" for m in labels)
        + " |",
        "|---|---|" + "---|---|---|" * len(labels),
    ]
    for r in rows:
        cells = []
        for m in labels:
            got = r["scores"].get(m)
            cells.append(
                f"{got['G']:.4f} | {got['R']:.4f} | {100 * (got['R'] - got['G']):+.2f}"
                if got
                else " | | "
            )
        lines.append(f"| {r['draw']} | {r['rows']} | " + " | ".join(cells) + " |")
    lines.append("")
    for m in labels:
        got = [r["scores"][m] for r in rows if m in r["scores"]]
        if got:
            gap = [100 * (g["R"] - g["G"]) for g in got]
            lines.append(
                f"- {m}, {len(got)} draws: G {100 * statistics.mean(g['G'] for g in got):.2f} %, "
                f"R {100 * statistics.mean(g['R'] for g in got):.2f} %, R − G "
                f"{statistics.mean(gap):+.2f} points ({min(gap):+.2f} to {max(gap):+.2f})."
            )
    lines.extend(margins(rows, labels))
    here = Path(__file__).resolve().parent
    (here / "movie_overlap.md").write_text("\n".join(lines) + "\n", "utf-8")
    (here / "movie_overlap.json").write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("split", help="write the draws' files")
    make.add_argument("--draws", type=int, default=3)
    make.add_argument("--rows", type=int, default=1500, help="reviews in G (and in R)")
    make.add_argument("--shared", type=int, default=4, help="rare names two reviews share")
    make.add_argument("--max-df", type=int, default=30, help="most reviews a rare name is in")
    make.add_argument("--out", type=Path, default=Path("runs/overlap"))
    score = commands.add_parser("measure", help="score TF-IDF and the draws' models")
    score.add_argument("folder", type=Path, nargs="?", default=Path("runs/overlap"))
    score.add_argument(
        "--model",
        action="append",
        default=[],
        help="LABEL=PATH of a sentigru model folder, {draw} standing for dN (repeat); "
        "default sentigru=FOLDER/{draw}/model",
    )
    args = parser.parse_args()
    if args.command == "split":
        split(args)
    else:
        measure(args)


if __name__ == "__main__":
    main()
