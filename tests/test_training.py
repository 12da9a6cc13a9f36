"""Training's guards: a diverging loss stops with a clear error."""

from __future__ import annotations

import math

import pytest

from sentigru.errors import SentigruError

pytest.importorskip("keras")


@pytest.mark.parametrize("loss", [math.nan, math.inf])
def test_nan_loss_stops_training_with_a_clear_error(loss: float) -> None:
    from sentigru.callbacks import nan_guard

    guard = nan_guard()
    guard.on_train_batch_end(0, {"loss": 0.5})  # a finite loss passes
    with pytest.raises(SentigruError, match="diverged.*--learning-rate"):
        guard.on_train_batch_end(1, {"loss": loss})
