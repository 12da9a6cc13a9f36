"""What the SentencePiece normalisation map costs in the phone file, and what cutting it
to the rules the model can read changes.

A piece model learnt by ``sentigru train --tokenizer sentencepiece`` normalises text with
``nmt_nfkc_cf`` (NFKC and case folding; and it writes ’ and ‘ as ', as the whole map
compared here does too). The compiled map rides in the piece model, and
so in every phone file. sentigru keeps only the rules whose result is made of characters
of the normalised training sample or of ASCII (``sentigru/pieces.py``,
``_readable_rules``). For each set this learns the preset's pieces (6,000, seed 7) from
the training split that ``languages.py`` trains on, puts the whole map back into a copy,
and counts the texts whose ids differ between the two, in the training split and the
dev file. Where none differ, the model trained on them and its dev answers are the same
with either map, so only the size changes.

    python benchmarks/normalisation_map.py --data DATA_FOLDER

Writes ``benchmarks/normalisation_map.json`` and ``benchmarks/normalisation_map.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from languages import SETS, read_rows, split

from sentigru.pieces import APOSTROPHES, Pieces, with_normaliser

HERE = Path(__file__).resolve().parent
ENGLISH = {"sst2": 50_000}
"""English: SST-2's training phrases (50,000 of them, seeded)."""
SIZE, SEED = 6000, 7


def measure(name: str, data: Path) -> dict:
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2 as proto

    keep = {**SETS, **ENGLISH}[name]
    train, _ = split(read_rows(data / name / "train.tsv.gz"), keep, name)
    dev = [text for _, text in read_rows(data / name / "dev.tsv.gz")]
    texts = [text for _, text in train]
    began = time.perf_counter()
    pieces = Pieces.train(texts, SIZE, seed=SEED)
    seconds = time.perf_counter() - began
    full = sentencepiece.SentencePieceNormalizer(rule_name="nmt_nfkc_cf").Decompile()
    whole_rules = [rule for rule in full if rule[0] not in APOSTROPHES]  # both write ’ as '
    whole_rules += [(mark, "'") for mark in APOSTROPHES]
    whole_model = with_normaliser(
        pieces.model, sentencepiece.SentencePieceNormalizer(norm_map=whole_rules)
    )
    whole = sentencepiece.SentencePieceProcessor(model_proto=whole_model)
    whole_proto, ours = proto.ModelProto(), proto.ModelProto()
    whole_proto.ParseFromString(whole_model)
    ours.ParseFromString(pieces.model)
    rules = sentencepiece.SentencePieceNormalizer(model_proto=pieces.model).Decompile()

    def differing(rows: list[str]) -> int:
        return sum(pieces.processor.encode(t) != whole.encode(t) for t in rows)

    return {
        "train_texts": len(texts),
        "dev_texts": len(dev),
        "rules_kept": len(rules),
        "map_bytes_whole": len(whole_proto.normalizer_spec.precompiled_charsmap),
        "map_bytes_kept": len(ours.normalizer_spec.precompiled_charsmap),
        "piece_model_bytes_whole": len(whole_model),
        "piece_model_bytes_kept": len(pieces.model),
        "train_texts_other_ids": differing(texts),
        "dev_texts_other_ids": differing(dev),
        "pieces_seconds": round(seconds, 1),
    }


def write_markdown(results: dict) -> None:
    lines = [
        "# The SentencePiece normalisation map in the phone file",
        "",
        "Made by `benchmarks/normalisation_map.py` (its docstring says how). For each set,",
        "the preset's pieces (6,000, seed 7) learnt from the training split `languages.py`",
        "trains on; the map sentigru keeps (the `nmt_nfkc_cf` rules whose result is made of",
        "characters of the normalised training sample or of ASCII) against the whole map;",
        "and the texts whose ids differ between the two.",
        "",
        "| set | rules kept | map: whole → kept | piece model: whole → kept "
        "| training texts with other ids | dev texts with other ids | pieces learnt in |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rules_kept']:,} | {r['map_bytes_whole'] / 1e6:.3f} → "
            f"{r['map_bytes_kept'] / 1e6:.3f} MB | {r['piece_model_bytes_whole'] / 1e6:.3f} → "
            f"{r['piece_model_bytes_kept'] / 1e6:.3f} MB | {r['train_texts_other_ids']} of "
            f"{r['train_texts']:,} | {r['dev_texts_other_ids']} of {r['dev_texts']:,} | "
            f"{r['pieces_seconds']} s |"
        )
    saved = [r["piece_model_bytes_whole"] - r["piece_model_bytes_kept"] for r in results.values()]
    lines += [
        "",
        f"Every phone file of these sets is {min(saved) / 1e6:.3f}–{max(saved) / 1e6:.3f} MB",
        "smaller. Where no text's ids differ, the model trained on the set and its answers",
        "on the dev file are the same with either map. Text in a script the training text",
        "lacks loses only rules that write characters the model never saw: those",
        "characters reach it as byte pieces either way, spelt as typed instead of as",
        "normalised. The MediaPipe parity tests (`tests/test_parity_sentencepiece.py`) run",
        "on a cut map, with text the map leaves as typed.",
        "",
        "Reproduce: `python benchmarks/normalisation_map.py --data DATA_FOLDER`.",
        "",
    ]
    (HERE / "normalisation_map.md").write_text("\n".join(lines), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    names = [*SETS, *ENGLISH]
    parser.add_argument("--sets", nargs="*", default=names, choices=names)
    args = parser.parse_args()
    results = {}
    for name in args.sets:
        results[name] = measure(name, args.data)
        print(name, results[name], flush=True)
    (HERE / "normalisation_map.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    write_markdown(results)


if __name__ == "__main__":
    main()
