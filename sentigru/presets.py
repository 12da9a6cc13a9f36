"""Models that ship inside the package (KerasHub-style presets)."""

from __future__ import annotations

from pathlib import Path

from sentigru.errors import SentigruError

MODELS = Path(__file__).parent / "models"


def default_model() -> Path:
    """The bundled model's phone file, or a clear error while none is bundled."""
    for candidate in (MODELS / "default" / "model.tflite", MODELS / "default"):
        if candidate.exists():
            return candidate
    raise SentigruError("no bundled model in this install; pass --model DIR or FILE.tflite")
