"""The package is layered, low to high, and no module imports a higher layer, not even
inside a function (a lazy import hides a loop; it does not remove it)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sentigru"

LAYERS = [
    {"errors", "atomic", "outputs", "limits", "contract", "spec", "tf_quiet", "plots"},
    {"tokenizer", "pieces", "modelfile", "word_vectors", "ngram_teacher", "presets"},
    {"data"},
    {"model", "pipeline", "train_data", "bundle", "callbacks", "distribute", "worker_loop"},
    {"predictor", "bulk", "trust", "evaluation"},
    {"training"},
    {"exporters"},
    {"api", "comparison"},
    {"cli", "__main__"},
]
"""Each module's layer; ``sentigru/__init__.py`` is the package's face (it forwards to
the API lazily) and sits above them all."""


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"sentigru.{module} has no layer in tests/test_layers.py")


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()


def _imports(file: Path) -> set[str]:
    """The sentigru modules ``file`` imports anywhere in it, relative to the package."""
    found = set()
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "sentigru":  # modules by name; __version__ is no import up
                names = [f"sentigru.{a.name}" for a in node.names if _is_module(a.name)]
        else:
            continue
        found |= {name.removeprefix("sentigru.") for name in names if name.startswith("sentigru.")}
    return found


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for file in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(file.relative_to(PACKAGE).with_suffix("").parts)
        if module == "__init__":
            continue
        rank = _layer(module)
        upward += [f"{module} -> {target}" for target in _imports(file) if _layer(target) > rank]
    assert not upward, upward
