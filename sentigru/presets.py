"""Models and recipes that ship inside the package (KerasHub-style presets).

A preset is a spec. ``--preset bundled`` is the recipe of the shipped model folder: it
trains with exactly the settings the bundled model was trained with from scratch, read
from its own folder, so the recipe and the model cannot drift apart. A folder trained
from another (``--init``) records that first model's spec in its manifest, and a preset
of it is that spec, not the last run's few epochs of fine-tuning.
``--preset sentencepiece`` is that recipe changed for text in any script: the
SentencePiece tokenizer, with 6,000 pieces and 32,768 word-pair buckets so that the
phone file, piece model included, stays under 1 MB, and a character n-gram teacher
(``--ngram-teacher``), which read Japanese, Chinese and Korean reviews better by more
than the seed spread (``benchmarks/languages.md``); and ``--piece-min-count 3``, the
default, which the bundled recipe (saved before the setting) reads as 1: rare pieces out
of the file cost nothing measurable (``benchmarks/min_count.md``). A path to any
``spec.json`` works too.
"""

from __future__ import annotations

from pathlib import Path

from sentigru.errors import SentigruError
from sentigru.spec import Spec

MODELS = Path(__file__).parent / "models"
PRESETS = {"bundled": MODELS / "default"}
"""Preset name: the shipped model folder whose spec it is."""
VARIANTS = {
    "sentencepiece": (
        "bundled",
        {
            "tokenizer": {"tokenizer": "sentencepiece", "vocab_size": 6000, "piece_min_count": 3},
            "model": {"bigram_buckets": 32768},
            "training": {"ngram_teacher": True},
        },
    )
}
"""Preset name: the preset it changes, and the settings it changes there."""


def default_model() -> Path:
    """The bundled model's phone file, or a clear error while none is bundled."""
    for candidate in (MODELS / "default" / "model.tflite", MODELS / "default"):
        if candidate.exists():
            return candidate
    raise SentigruError("no bundled model in this install; pass --model DIR or FILE.tflite")


def preset_spec(preset: str | Path) -> Spec:
    """The spec of a named preset, or of a ``spec.json`` file."""
    if str(preset) in VARIANTS:
        base, changes = VARIANTS[str(preset)]
        return preset_spec(base).replace(**changes)
    folder = PRESETS.get(str(preset))
    file = folder / "spec.json" if folder else Path(preset)
    if file.is_dir():  # a model folder holds its spec.json
        raise SentigruError(f"{file}: a folder; give its spec.json ({file / 'spec.json'})")
    if not file.is_file() and (file.suffix == ".json" or len(file.parts) > 1):
        raise SentigruError(f"{file}: no such spec.json (--preset takes a file or a name)")
    if not file.is_file():
        names = ", ".join([*PRESETS, *VARIANTS])
        raise SentigruError(f"unknown preset {str(preset)!r}: give one of {names}, or a spec.json")
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SentigruError(
            f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    manifest = file.parent / "manifest.json"
    about = _read_json(manifest) if manifest.is_file() else None
    recipe = recipe_in(about) if folder else None
    if recipe is not None:  # a named preset trains from scratch; a file is taken as it is
        return Spec.from_dict(recipe, saved=True)
    # a model folder's spec.json says how that model was made
    try:
        return Spec.from_json(text, saved=manifest.is_file(), made_by=_made_by(about))
    except SentigruError as exc:
        raise SentigruError(f"{file}: {exc}") from None


def _made_by(manifest: object) -> str | None:
    """The sentigru version a folder's manifest names, if it names one."""
    versions = manifest.get("versions") if isinstance(manifest, dict) else None
    return versions.get("sentigru") if isinstance(versions, dict) else None


def _read_json(file: Path) -> object:
    import json

    try:
        return json.loads(file.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def recipe_in(manifest: object) -> dict | None:
    """The from-scratch spec a model trained from another (``--init``) records in its
    manifest (``init.recipe``): a preset of it trains that, not one epoch from nothing."""
    started = manifest.get("init") if isinstance(manifest, dict) else None
    recipe = started.get("recipe") if isinstance(started, dict) else None
    return recipe if isinstance(recipe, dict) else None
