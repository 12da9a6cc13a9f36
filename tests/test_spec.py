"""The spec validates when built and survives a JSON round trip."""

from __future__ import annotations

import pytest

from sentigru.errors import SentigruError
from sentigru.spec import ModelSpec, Spec, TokenizerSpec, TrainingSpec


def test_round_trip() -> None:
    spec = Spec().replace(model={"cell": "lstm", "units": 8}, tokenizer={"seq_len": 32})
    assert Spec.from_json(spec.to_json()) == spec
    assert spec.model.cell == "lstm" and spec.tokenizer.seq_len == 32


@pytest.mark.parametrize(
    "build",
    [
        lambda: ModelSpec(cell="rnn"),
        lambda: ModelSpec(dropout=1.0),
        lambda: ModelSpec(pooling="last"),
        lambda: TokenizerSpec(seq_len=1),
        lambda: TokenizerSpec(vocab_size=0),
        lambda: TrainingSpec(val_split=1.0),
        lambda: TrainingSpec(learning_rate=0),
        lambda: Spec().replace(training={"epochs": 0}),
        lambda: Spec().replace(model={"chunk_len": 100}),  # 256 is not whole chunks
        lambda: Spec().replace(model={"bigram_buckets": 64}, tokenizer={"vocab_size": 50000}),
        lambda: Spec.from_dict({"model": {"bigram_dropout": "no"}}),
    ],
)
def test_bad_settings_are_refused_when_built(build) -> None:
    with pytest.raises(SentigruError):
        build()


@pytest.mark.parametrize(
    "data",
    [{"model": {"unit": 8}}, {"extra": {}}, {"model": []}, []],
)
def test_unknown_or_malformed_keys_are_refused(data) -> None:
    with pytest.raises(SentigruError):
        Spec.from_dict(data)


def test_spec_saved_before_bigram_dropout_keeps_its_network() -> None:
    """A spec.json written before the setting existed rebuilds the network it made: the
    output dropout drops the word-pair features too."""
    assert Spec.from_dict({"model": {"bigram_buckets": 64}}).model.bigram_dropout is True
