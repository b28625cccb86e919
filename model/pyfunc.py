"""The logged model: the fitted pipeline plus the registry, as an MLflow pyfunc.

``mlflow.pyfunc.load_model(uri).predict(features)`` returns one row per input row with the
calibrated ``probability`` and ``reasons`` (plain-English strings from the registry, or the
vulnerability index's factors present). ``RiskModel.score`` is the same on a matrix, for
callers that score a few rows at a time (the API): both go through ``model.fastpath`` where
it covers the pipeline, else through scikit-learn's own path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from model.explain import is_explainable, reasons
from model.fastpath import FastPath
from model.index import index_reasons, is_index

_NOT_BUILT = object()


class RiskModel(PythonModel):
    """Wraps a fitted ``Pipeline(ColumnTransformer, calibrated classifier)``."""

    def __init__(self, pipeline: Pipeline, features: list[str], registry: pd.DataFrame) -> None:
        self.pipeline = pipeline
        self.features = features
        self.registry = registry[["feature", "group", "description"]].copy()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_fast", None)  # rebuilt from the pipeline on first use, never pickled
        return state

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        """``params={"reasons": False}`` skips the wording (a batch worded only where flagged)."""
        wanted = bool((params or {}).get("reasons", True))
        probability, worded = self.score(model_input[self.features].to_numpy(dtype=float),
                                         reasons=wanted)
        return pd.DataFrame({"probability": probability, "reasons": worded},
                            index=model_input.index)

    def score(self, X: np.ndarray, *, reasons: bool = True
              ) -> tuple[np.ndarray, list[list[str]]]:
        """Probabilities and reasons for a matrix whose columns are ``features`` in order."""
        fast = self._fast_path()
        if fast is not None:
            # Transform once: the classifier and the explanation read the same matrix.
            transformed = fast.transform(X)
            probability = fast.probability(transformed)
        else:
            frame = pd.DataFrame(X, columns=self.features)
            with threadpool_limits(limits=1):  # one thread: no oversubscription under a server
                transformed = self.pipeline.named_steps["features"].transform(frame)
                probability = self.pipeline.named_steps["classifier"].predict_proba(
                    transformed)[:, 1]
        return probability, self._worded(X, transformed) if reasons else [[] for _ in X]

    def _worded(self, X: np.ndarray, transformed: np.ndarray) -> list[list[str]]:
        if is_explainable(self.pipeline):
            return reasons(self.pipeline, X, self.features, self.registry,
                           transformed=transformed)
        if is_index(self.pipeline):
            return index_reasons(self.pipeline, None, transformed=transformed)
        # Trees win only when clearly better; exact tree SHAP is not implemented, so no
        # approximate reasons are invented.
        return [[] for _ in X]

    def _fast_path(self) -> FastPath | None:
        fast = self.__dict__.get("_fast", _NOT_BUILT)
        if fast is _NOT_BUILT:
            fast = self.__dict__["_fast"] = FastPath.build(self.pipeline, self.features)
        return fast  # type: ignore[return-value]
