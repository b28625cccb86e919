"""The logged model: the fitted pipeline plus the registry, as an MLflow pyfunc.

``mlflow.pyfunc.load_model(uri).predict(features)`` returns one row per input row with the
calibrated ``probability`` and ``reasons`` (plain-English strings from the registry, or the
vulnerability index's factors present).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from mlflow.pyfunc import PythonModel
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from model.explain import is_explainable, reasons
from model.index import index_reasons, is_index


class RiskModel(PythonModel):
    """Wraps a fitted ``Pipeline(ColumnTransformer, calibrated classifier)``."""

    def __init__(self, pipeline: Pipeline, features: list[str], registry: pd.DataFrame) -> None:
        self.pipeline = pipeline
        self.features = features
        self.registry = registry[["feature", "group", "description"]].copy()

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        """``params={"reasons": False}`` skips the wording (a batch worded only where flagged)."""
        frame = model_input[self.features]
        wanted = (params or {}).get("reasons", True)
        with threadpool_limits(limits=1):  # one thread: no oversubscription under a server
            # Transform once: the classifier and the explanation read the same matrix.
            transformed = self.pipeline.named_steps["features"].transform(frame)
            probability = self.pipeline.named_steps["classifier"].predict_proba(transformed)[:, 1]
        if not wanted:
            worded: list[list[str]] = [[] for _ in range(len(frame))]
        elif is_explainable(self.pipeline):
            worded = reasons(self.pipeline, frame, self.features, self.registry,
                             transformed=transformed)
        elif is_index(self.pipeline):
            worded = index_reasons(self.pipeline, frame)
        else:
            # Trees win only when clearly better; exact tree SHAP is not implemented, so no
            # approximate reasons are invented.
            worded = [[] for _ in range(len(frame))]
        return pd.DataFrame({"probability": probability, "reasons": worded},
                            index=model_input.index)
