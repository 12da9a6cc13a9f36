"""Pictures: training.png in every model folder, evaluate --plot, and life without
matplotlib (the commands still work and say how to get the pictures)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentigru import bundle, plots
from sentigru.cli import main
from sentigru.errors import SentigruError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_shape(data: bytes | Path) -> tuple[int, ...]:
    """The decoded image's shape, read back by matplotlib; fails on anything not a PNG."""
    import io

    import matplotlib.image

    raw = data.read_bytes() if isinstance(data, Path) else data
    assert raw.startswith(PNG_SIGNATURE)
    return matplotlib.image.imread(io.BytesIO(raw), format="png").shape


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``import matplotlib…`` fail, as where the extra is not installed."""
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_training_png_draws_every_epoch() -> None:
    history = {"loss": [0.7, 0.5, 0.4], "val_loss": [0.69, 0.6, 0.58]}
    history |= {"accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.52, 0.66, 0.7]}
    height, width, _ = png_shape(plots.training_png(history, "title"))
    assert width > height > 100  # two panels side by side


def test_confusion_png_reads_back() -> None:
    report = {"labels": ["a", "b", "c"], "confusion_matrix": [[3, 1, 0], [0, 2, 2], [1, 0, 5]]}
    report |= {"accuracy": 10 / 14, "n": 14}
    height, width, _ = png_shape(plots.confusion_png(report))
    assert height > 100 and width > 100


def test_a_path_not_in_utf8_and_dollar_signs_are_drawn_as_text() -> None:
    """The title is the model's path: a folder named in Latin-1 bytes (surrogates in
    Python) made the font engine raise TypeError, and '$...$' was parsed as TeX (an
    unknown command raised ValueError)."""
    report = {"labels": [r"$\nope$", "b"], "confusion_matrix": [[3, 1], [0, 2]]}
    report |= {"accuracy": 5 / 6, "n": 6}
    height, _, _ = png_shape(plots.confusion_png(report, "old\udce9/$\\nope$"))
    assert height > 100
    assert png_shape(plots.training_png({"loss": [0.5]}, "old\udce9/$\\nope$"))[0] > 100


def test_long_labels_leave_the_matrix_its_room_without_a_warning() -> None:
    import warnings

    long = [
        "clearly positive review of the product, 36c",
        "clearly negative review, with a long name",
    ]
    report = {"labels": long, "confusion_matrix": [[3, 1], [0, 2]], "accuracy": 5 / 6, "n": 6}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png_shape(plots.confusion_png(report))
    assert not [str(w.message) for w in caught]


def test_an_emoji_label_is_drawn_without_a_warning_on_stderr() -> None:
    """No font matplotlib reads has emoji: each label's emoji printed a UserWarning with
    plots.py's path under the evaluation report."""
    import warnings

    report = {"labels": ["bad 👎", "good 👍"], "confusion_matrix": [[3, 1], [0, 2]]}
    report |= {"accuracy": 5 / 6, "n": 6}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        height, _, _ = png_shape(plots.confusion_png(report, "👍"))
    assert height > 100 and not [str(w.message) for w in caught]


def test_japanese_and_korean_labels_are_drawn_as_letters_not_boxes() -> None:
    """matplotlib's own font has no kana, kanji or hangul: such labels were empty boxes,
    with a warning per missing glyph. An installed CJK font draws them."""
    import warnings

    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    if not installed & set(plots.WIDE_FONTS):
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    report = {"labels": ["否定的", "긍정"], "confusion_matrix": [[3, 1], [0, 2]]}
    report |= {"accuracy": 5 / 6, "n": 6}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.confusion_png(report, "評価")
        plots.training_png({"loss": [0.7, 0.5]}, "学習")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_without_matplotlib_drawing_raises_the_hint(no_matplotlib: None) -> None:
    assert not plots.available()
    with pytest.raises(plots.NoMatplotlib, match=r'pip install "sentigru\[plot\]"'):
        plots.training_png({"loss": [1.0]})
    assert issubclass(plots.NoMatplotlib, SentigruError)


def test_train_writes_training_png_listed_in_the_manifest(trained_model: Path) -> None:
    picture = trained_model / bundle.PICTURE
    assert png_shape(picture)[0] > 100
    manifest = json.loads((trained_model / "manifest.json").read_text())
    assert manifest["files"][bundle.PICTURE]["sha256"] == bundle.sha256_file(picture)


def test_folders_without_the_picture_load_and_an_altered_one_is_refused(
    trained_model: Path, tmp_path: Path
) -> None:
    old = shutil.copytree(trained_model, tmp_path / "old")
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["files"][bundle.PICTURE]  # a folder from before training.png existed
    (old / "manifest.json").write_text(json.dumps(manifest))
    (old / bundle.PICTURE).unlink()
    bundle.read_manifest(old)

    altered = shutil.copytree(trained_model, tmp_path / "altered")
    (altered / bundle.PICTURE).write_bytes(PNG_SIGNATURE + b"not the picture")
    with pytest.raises(SentigruError, match="training.png was altered"):
        bundle.read_manifest(altered)


def test_train_without_matplotlib_saves_the_model_and_says_how(
    synthetic_files, tmp_path: Path, no_matplotlib: None
) -> None:
    out = tmp_path / "m"
    args = [
        "train",
        "--data",
        str(synthetic_files[0]),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--min-steps",
        "0",
    ]
    args += ["--units", "4", "--embed-dim", "4", "--seq-len", "16", "--chunk-len", "0"]
    args += ["--vocab-size", "100", "--no-phone-file"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert not (out / bundle.PICTURE).exists()
    assert bundle.PICTURE not in json.loads((out / "manifest.json").read_text())["files"]
    bundle.read_manifest(out)
    hints = [line for line in result.output.splitlines() if "sentigru[plot]" in line]
    assert len(hints) == 1 and "training.png" in hints[0]


def test_evaluate_plot_writes_a_confusion_png(
    trained_model: Path, synthetic_files, tmp_path: Path
) -> None:
    target = tmp_path / "confusion.png"
    args = ["evaluate", "--model", str(trained_model), "--data", str(synthetic_files[1])]
    result = CliRunner().invoke(main, [*args, "--json", "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert png_shape(target)[0] > 100
    assert json.loads(result.stdout)["n"] == 200  # stdout stays one JSON object
    again = CliRunner().invoke(main, [*args, "--plot", str(target), "--force"])
    assert again.exit_code == 0, again.output  # a picture sentigru drew is replaced

    made = CliRunner().invoke(main, [*args, "--plot", str(tmp_path / "no" / "c.png")])
    assert made.exit_code == 0 and png_shape(tmp_path / "no" / "c.png")[0] > 100  # folder made
    under_a_file = CliRunner().invoke(main, [*args, "--plot", str(target / "c.png")])
    assert under_a_file.exit_code == 1
    assert under_a_file.output.strip().count("\n") == 0 and "is a file" in under_a_file.output


def test_python_draws_the_confusion_png_in_the_same_one_call(
    trained_model: Path, synthetic_files, tmp_path: Path
) -> None:
    """What `evaluate --plot` does, `Classifier.evaluate(plot=)` does, with its checks."""
    import sentigru

    clf = sentigru.load(trained_model)
    target = tmp_path / "c.png"
    report = clf.evaluate(synthetic_files[1], plot=target)
    assert report["n"] == 200 and png_shape(target)[0] > 100
    with pytest.raises(sentigru.SentigruError, match="exists; use --force"):
        clf.evaluate(synthetic_files[1], plot=target)
    clf.evaluate(synthetic_files[1], plot=target, force=True)
    with pytest.raises(sentigru.SentigruError, match="name it .png"):
        clf.evaluate(synthetic_files[1], plot=tmp_path / "c.jpg")
    clf.evaluate(synthetic_files[1], plot=tmp_path / "new" / "c.png")  # its folder made
    assert png_shape(tmp_path / "new" / "c.png")[0] > 100


def test_a_picture_that_cannot_be_drawn_loses_no_figure(
    trained_model: Path, synthetic_files, tmp_path: Path, monkeypatch
) -> None:
    """evaluate --plot prints the report before it draws: a failed picture (a full
    disk) is one line after the figures, not instead of them."""
    from sentigru import atomic

    def full(*args, **kwargs) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_atomic", full)
    args = ["evaluate", "--model", str(trained_model), "--data", str(synthetic_files[1])]
    result = CliRunner().invoke(main, [*args, "--json", "--plot", str(tmp_path / "c.png")])
    assert result.exit_code == 1 and "No space left" in result.output, result.output
    assert json.loads(result.stdout.splitlines()[0])["n"] == 200


def test_evaluate_plot_without_matplotlib_is_refused_before_the_work(
    trained_model: Path, synthetic_files, tmp_path: Path, no_matplotlib: None
) -> None:
    args = ["evaluate", "--model", str(trained_model), "--data", str(synthetic_files[1])]
    result = CliRunner().invoke(main, [*args, "--plot", str(tmp_path / "new.png")])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert 'pip install "sentigru[plot]"' in result.output and "accuracy" not in result.output
    assert not (tmp_path / "new.png").exists()


def test_predict_never_imports_matplotlib_or_tensorflow() -> None:
    code = (
        "import sys\n"
        "from sentigru.cli import main\n"
        "try:\n"
        "    main(['predict', 'a lovely film'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print([m for m in ('matplotlib', 'tensorflow') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
