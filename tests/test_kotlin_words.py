"""The word counter for Android apps (``export/android/SentigruWords.kt``) counts what
``sentigru predict --json`` counts, so an app shows no answer where Python says the
model read no word (fragments of cut words included, which the phone file scores).

Compiled with the Kotlin compiler (``kotlinc`` on the path, ``SENTIGRU_KOTLINC``, or the
npm package ``kotlin-compiler`` under ``.cache/kotlin``, as ``.ci/run`` installs it) and
run on the JDK; skipped without them, but under CI, which fails instead."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from texts import WORD_COUNT_CORNERS, varied_texts

from sentigru.contract import cut_at_nul
from sentigru.tokenizer import read_verdict

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "export" / "android" / "SentigruWords.kt"
MODEL = REPO / "export" / "sentigru-sentiment.tflite"

MAIN = """
import sentigru.SentigruWords
import java.io.File

// args: model file, its input length, a file of texts (a line each: UTF-16 units in decimal)
fun main(args: Array<String>) {
    val words = try {
        SentigruWords(File(args[0]).readBytes(), args[1].toInt())
    } catch (e: IllegalArgumentException) {
        System.err.println(e.message)
        kotlin.system.exitProcess(3)
    }
    val out = StringBuilder()
    for (line in File(args[2]).readLines()) {
        val units = if (line.isEmpty()) listOf() else line.split(" ").map { it.toInt().toChar() }
        val c = words.count(String(units.toCharArray()))
        out.append("${c.known} ${c.unknown} ${c.unread} ${c.truncated} ${c.nul} ${c.read}\\n")
    }
    print(out)
}
"""


def _kotlinc() -> str | None:
    cached = REPO / ".cache" / "kotlin" / "node_modules" / "kotlin-compiler" / "bin" / "kotlinc"
    found = os.environ.get("SENTIGRU_KOTLINC") or shutil.which("kotlinc")
    return found or (str(cached) if cached.exists() else None)


@pytest.fixture(scope="module")
def jar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kotlinc = _kotlinc()
    if kotlinc is None or shutil.which("java") is None:
        message = "needs kotlinc and java (npm install --prefix .cache/kotlin kotlin-compiler)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("kotlin")
    (folder / "Main.kt").write_text(MAIN, "utf-8")
    built = folder / "words.jar"
    done = subprocess.run(
        [kotlinc, str(SOURCE), str(folder / "Main.kt"), "-include-runtime", "-d", str(built)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return built


def _units(text: str) -> str:
    """A text as its UTF-16 code units, as a Kotlin String holds it."""
    data = text.encode("utf-16-le", "surrogatepass")
    return " ".join(str(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2))


def _kotlin_counts(jar: Path, model: Path, seq_len: int, texts: list[str], tmp: Path) -> list[str]:
    lines = tmp / "texts.txt"
    lines.write_text("".join(_units(text) + "\n" for text in texts), "ascii")
    done = subprocess.run(
        ["java", "-jar", str(jar), str(model), str(seq_len), str(lines)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_the_tables_are_those_of_this_python() -> None:
    """The characters that cut, hide and are dropped come from ``sentigru.tokenizer``:
    the file is regenerated (``python scripts/kotlin_words.py``) when they change."""
    spec = importlib.util.spec_from_file_location(
        "kotlin_words", REPO / "scripts" / "kotlin_words.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.current() == module.generated()
    assert "CUTTING_TABLE" in module.generated()


def test_kotlin_counts_the_words_as_python_does(jar: Path, tmp_path: Path) -> None:
    """Known, unknown and unread words, cut texts and the read verdict of every text, on
    the bundled phone file: the same as ``sentigru predict --json``."""
    from sentigru.predictor import LiteRTPredictor

    reviews = (REPO / "data" / "reviews_test.tsv").read_text("utf-8").splitlines()[1:]
    texts = [
        *varied_texts(300, seed=11),
        *(line.split("\t", 1)[1] for line in reviews),
        *WORD_COUNT_CORNERS,
        "café",  # a fragment with an id of its own: the phone file scores it
        "Für",
        "<3",
        "great\x00terrible",
        "terrible\x00 \n",
        "la\u00adugh \ud83d great",  # a lone surrogate, as an Android string may hold
    ]
    predictor = LiteRTPredictor.load(MODEL)
    tokenizer = predictor.tokenizer
    expected = []
    for text in texts:
        known, unknown, cut = predictor.read(text)
        unread = tokenizer.unread_words(text)
        verdict = read_verdict(known, unknown + unread)
        nul = cut_at_nul(text)
        expected.append(
            f"{known} {unknown} {unread} {str(bool(cut)).lower()} {str(nul).lower()} {verdict}"
        )
    got = _kotlin_counts(jar, MODEL, tokenizer.seq_len, texts, tmp_path)
    assert got == expected
    verdicts = [line.rsplit(" ", 1)[1] for line in expected]
    assert {"none", "part", "all"} <= set(verdicts)
    assert verdicts[-6:-3] == ["none"] * 3  # café, Für, <3: fragments, no word


def test_kotlin_refuses_a_file_with_no_vocabulary(jar: Path, tmp_path: Path) -> None:
    """A SentencePiece model (or any file without vocab.txt) is refused by name."""
    other = tmp_path / "other.tflite"
    other.write_bytes(MODEL.read_bytes()[:4096])
    (tmp_path / "texts.txt").write_text("\n", "ascii")
    done = subprocess.run(
        ["java", "-jar", str(jar), str(other), "1024", str(tmp_path / "texts.txt")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 3 and "no vocab.txt" in done.stderr, done.stderr
