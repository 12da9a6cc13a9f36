"""Models and recipes that ship inside the package (KerasHub-style presets).

A preset is the ``spec.json`` of a shipped model folder: ``--preset bundled`` trains with
exactly the settings the bundled model was trained with, read from its own folder, so
the recipe and the model cannot drift apart. A path to any ``spec.json`` works too.
"""

from __future__ import annotations

from pathlib import Path

from sentigru.errors import SentigruError
from sentigru.spec import Spec

MODELS = Path(__file__).parent / "models"
PRESETS = {"bundled": MODELS / "default"}
"""Preset name: the shipped model folder whose spec it is."""


def default_model() -> Path:
    """The bundled model's phone file, or a clear error while none is bundled."""
    for candidate in (MODELS / "default" / "model.tflite", MODELS / "default"):
        if candidate.exists():
            return candidate
    raise SentigruError("no bundled model in this install; pass --model DIR or FILE.tflite")


def preset_spec(preset: str | Path) -> Spec:
    """The spec of a named preset, or of a ``spec.json`` file."""
    folder = PRESETS.get(str(preset))
    file = folder / "spec.json" if folder else Path(preset)
    if not file.is_file():
        names = ", ".join(PRESETS)
        raise SentigruError(f"unknown preset {str(preset)!r}: give one of {names}, or a spec.json")
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SentigruError(f"cannot read {file}: {exc}") from None
    return Spec.from_json(text)
