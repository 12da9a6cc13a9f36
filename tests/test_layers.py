"""The package is layered, low to high, and no module imports a higher layer, not even
inside a function (a lazy import hides a loop; it does not remove it)."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sentigru"

LAYERS = [
    {
        "errors",
        "portable",
        "atomic",
        "outputs",
        "limits",
        "contract",
        "spec",
        "tf_quiet",
        "plots",
        "folder_lock",
    },
    {"tokenizer", "pieces", "modelfile", "word_vectors", "ngram_teacher", "presets"},
    {"data"},
    {"model", "pipeline", "train_data", "bundle", "callbacks", "distribute", "worker_loop"},
    {"predictor", "bulk", "trust", "evaluation"},
    {"training", "training_notes"},
    {"exporters"},
    {"api", "arguments", "classifier", "train_api", "export_api", "comparison"},
    {"cli", "__main__", "console", "predict_io"},
]
"""Each module's layer; ``sentigru/__init__.py`` is the package's face (it forwards to
the API lazily) and sits above them all."""


def _layer(module: str) -> int:
    top = module.split(".")[0]
    if top == FACE:
        return len(LAYERS)
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"sentigru.{module} has no layer in tests/test_layers.py")


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir()


FACE = "__init__"
"""What ``import sentigru`` or ``from sentigru import load`` reaches: the package's face,
which forwards to the API, above every layer."""


def _imports(file: Path) -> set[str]:
    """The sentigru modules ``file`` imports anywhere in it, relative to the package."""
    found = set()
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{file.name}:{node.lineno}: a relative import"
            names = [node.module or ""]
            if node.module == "sentigru":  # modules by name; __version__ is no import up
                names = [
                    f"sentigru.{a.name}" if _is_module(a.name) else f"sentigru.{FACE}"
                    for a in node.names
                    if a.name != "__version__"
                ]
        else:
            continue
        names = [f"sentigru.{FACE}" if name == "sentigru" else name for name in names]
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


def test_the_probe_sees_the_package_face_and_relative_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import sentigru\nfrom sentigru import load, __version__, contract\n")
    assert _imports(probe) == {FACE, "contract"}
    probe.write_text("from . import api\n")
    try:
        _imports(probe)
    except AssertionError as exc:
        assert "relative import" in str(exc)
    else:
        raise AssertionError("a relative import went unseen")


def test_the_readmes_layout_lists_the_layers_in_their_order() -> None:
    """README's "low to high" line and LAYERS say the same."""
    readme = (PACKAGE.parent / "README.md").read_text("utf-8")
    line = readme.split("low to high:", 1)[1].split(".\n", 1)[0]
    ranks = [
        [_layer(name.strip("`/")) for name in re.findall(r"`(\w+)/?`", group)]
        for group in line.split(" · ")
    ]
    assert all(ranks), ranks
    assert all(max(a) < min(b) for a, b in itertools.pairwise(ranks)), ranks
