"""The model that ships with sentigru: present, intact, in step with export/, and used
by predict and evaluate when no --model is given."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_file

from sentigru import bundle
from sentigru.presets import MODELS, default_model

ROOT = Path(__file__).resolve().parents[1]
PHONE = ROOT / "export" / "sentigru-sentiment.tflite"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundled_folder_is_intact_and_matches_export() -> None:
    folder = MODELS / "default"
    manifest = bundle.read_manifest(folder)  # checks every file's sha256
    assert manifest["labels"] == ["negative", "positive"]
    assert default_model() == folder / "model.tflite"
    assert _sha(folder / "model.tflite") == _sha(PHONE)


def test_an_altered_bundled_phone_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """predict and evaluate without --model loaded the bundled phone file unchecked: a
    byte changed in it moved every score and nothing said so."""
    import shutil

    import sentigru
    from sentigru import presets

    folder = shutil.copytree(MODELS / "default", tmp_path / "default")
    monkeypatch.setattr(presets, "default_model", lambda: folder / "model.tflite")
    assert sentigru.load().predict(["a fine film"])[0]["label"] == "positive"
    content = bytearray((folder / "model.tflite").read_bytes())
    content[200_000] ^= 0x10
    (folder / "model.tflite").write_bytes(bytes(content))
    with pytest.raises(sentigru.SentigruError, match="altered since its folder was saved"):
        sentigru.load()
    with pytest.raises(sentigru.SentigruError, match="altered since its folder was saved"):
        sentigru.export(None, tmp_path / "site", format="web")  # copied it unchecked
    assert not (tmp_path / "site").exists()
    (folder / "manifest.json").write_text("{")  # broken, not "altered"
    with pytest.raises(sentigru.SentigruError, match="manifest is unreadable"):
        sentigru.load()


def test_phone_file_fits_the_size_budget() -> None:
    assert PHONE.stat().st_size <= 1_000_000


def test_predict_without_model_uses_the_bundled_phone_file() -> None:
    code = (
        "import sys\n"
        "from sentigru.cli import main\n"
        "sys.argv = ['sentigru', 'predict', '--json', 'A wonderful, moving film.',"
        " 'Dull, predictable and far too long.']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    labels = [json.loads(line)["label"] for line in proc.stdout.splitlines()]
    assert labels == ["positive", "negative"]


def test_evaluate_without_model(tmp_path: Path) -> None:
    data = tmp_path / "d.tsv"
    data.write_text(
        "label\ttext\npositive\tI loved this movie, it was great fun.\n"
        "negative\tA boring, badly acted mess. Avoid it.\n"
    )
    from click.testing import CliRunner

    from sentigru.cli import main

    result = CliRunner().invoke(main, ["evaluate", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n"] == 2


@pytest.mark.slow
def test_bundled_model_accuracy_on_sst2_dev() -> None:
    """SST-2 dev was never trained on. The phone file must not fall below the bundled
    model's SST-2 target (85 %) when the model is rebuilt; it scores 85.09 %."""
    from sentigru.data import ReadOptions, read_examples
    from sentigru.predictor import LiteRTPredictor

    dev = read_examples(
        shared_file("sst2", "dev.tsv.gz"), ReadOptions(label_map={"0": "negative", "1": "positive"})
    ).examples
    predictor = LiteRTPredictor.load(default_model())
    predicted = [predictor.labels[i] for i in predictor.scores(dev.texts).argmax(1)]
    accuracy = sum(p == t for p, t in zip(predicted, dev.labels)) / len(dev)
    assert accuracy >= 0.85


def test_bundled_model_reads_case_spellings_as_one_word() -> None:
    """Case aliases in the phone file's vocabulary: a capitalised or shouted word gets
    the lowercase word's id, so the scores are the same (nothing is lowercased)."""
    from sentigru.predictor import LiteRTPredictor

    predictor = LiteRTPredictor.load(default_model())
    variants = [
        "Terrible service, awful food.",
        "TERRIBLE service, AWFUL food.",
        "terrible service, awful food.",
    ]
    ids = [predictor.tokenizer.ids(text) for text in variants]
    assert ids[0] == ids[1] == ids[2] and 2 not in ids[0]  # all known words
    scores = predictor.scores(variants)
    assert (scores == scores[0]).all() and predictor.labels[int(scores[0].argmax())] == "negative"


def test_the_recipe_is_the_bundled_spec_and_the_default_but_the_settings_added_since() -> None:
    """--preset bundled is the recipe the bundled model was trained with from scratch,
    recorded in its folder; a plain train gets the same settings but those measured since
    (contractions also taught as phones type them, rare words and pieces left out; the
    bundled spec, saved before the floor on pieces, reads it as none). The bundled model
    itself then trained one epoch more from its own weights, at a quarter of the rate
    with that setting on, as its spec.json says; the build script does both, holding
    each negation kind to the floor."""
    from sentigru.presets import preset_spec
    from sentigru.spec import CURLY_SHARE, Spec

    recipe = Spec().replace(
        training={"curly_share": 0.0}, tokenizer={"min_count": 1, "piece_min_count": 1}
    )
    assert preset_spec("bundled") == recipe
    saved = Spec.from_json((MODELS / "default" / "spec.json").read_text("utf-8"), saved=True)
    last_epoch = {
        "epochs": 1,
        "learning_rate": recipe.training.learning_rate / 4,
        "curly_share": CURLY_SHARE,
        "seed": saved.training.seed,
    }
    assert saved == recipe.replace(training=last_epoch)
    assert Spec().training.curly_share == CURLY_SHARE > 0
    manifest = json.loads((MODELS / "default" / "manifest.json").read_text("utf-8"))
    assert Spec.from_dict(manifest["init"]["recipe"], saved=True) == recipe
    script = (ROOT / "scripts" / "build_bundled_model.sh").read_text("utf-8")
    assert "sentigru train --preset bundled " in script
    assert '--init "$work-base" --epochs 1 --learning-rate 0.0005' in script
    assert f"--curly-share {CURLY_SHARE}" in script
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from checklist import NEGATION_KINDS  # the kinds the slow test holds to the floor

    assert f'negation_kinds="{" ".join(NEGATION_KINDS)}"' in script


def test_the_sentencepiece_preset_is_the_bundled_recipe_sized_for_any_language() -> None:
    """--preset sentencepiece changes the bundled recipe in four settings only and pins
    the word-pair buckets that keep its phone file under 1 MB, so it follows the recipe
    when that changes; it keeps rare pieces out as the default does (the bundled recipe
    keeps every word); an unknown preset names both."""
    from sentigru.errors import SentigruError
    from sentigru.presets import preset_spec
    from sentigru.spec import Spec
    from sentigru.train_api import build_spec

    bundled, pieces = preset_spec("bundled").to_dict(), preset_spec("sentencepiece").to_dict()
    changed = {
        (section, key)
        for section, values in bundled.items()
        for key, value in values.items()
        if pieces[section][key] != value
    }
    assert changed == {
        ("tokenizer", "tokenizer"),
        ("tokenizer", "vocab_size"),
        ("tokenizer", "piece_min_count"),
        ("training", "ngram_teacher"),
    }
    assert pieces["tokenizer"]["piece_min_count"] == Spec().tokenizer.piece_min_count == 3
    assert pieces["model"]["bigram_buckets"] == 32768
    assert pieces["tokenizer"]["tokenizer"] == "sentencepiece"
    with pytest.raises(SentigruError, match="bundled, sentencepiece"):
        preset_spec("nope")
    with pytest.raises(SentigruError, match=r"runs/mine\.json: no such spec\.json"):
        preset_spec("runs/mine.json")  # a file named, not a preset: "unknown preset" misled
    with pytest.raises(SentigruError, match=r"a folder; give its spec\.json"):
        preset_spec(MODELS / "default")
    with pytest.raises(SentigruError, match="preset is an empty name"):
        build_spec(preset="")  # os.environ.get("PRESET", ""): it trained the defaults


def test_bundled_model_reads_a_negation_typed_with_a_curly_apostrophe() -> None:
    """Phones type ’, which the tokenizer splits on: the head of *wasn’t* must reach the
    model as *wasn't* does, not as an unknown word, and the negation must hold."""
    from sentigru.predictor import LiteRTPredictor

    predictor = LiteRTPredictor.load(default_model())
    index = predictor.tokenizer.vocab.index
    ids = predictor.tokenizer.ids("The food wasn\u2019t good.")
    assert index["wasn't"] in ids and 2 not in ids
    scores = predictor.scores(["The food wasn\u2019t good.", "I didn\u2019t hate it."])
    assert [predictor.labels[int(row.argmax())] for row in scores] == ["negative", "positive"]
