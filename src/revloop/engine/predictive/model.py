"""The predictive model: a calibrated probability of becoming a customer, and why.

Two learners share one pipeline shape (a ``ColumnTransformer`` feeding a
classifier, then a Platt curve that may only rise, see :class:`MonotoneCalibrated`):

* ``"boosting"``: ``HistGradientBoostingClassifier`` with native categorical
  splits (categories ordinal-encoded, rare ones pooled) and native missing values.
  It finds interactions a linear model cannot, such as the ICP being an industry
  *and* a size band *and* a region.
* ``"linear"``: one-hot categories (rare ones pooled, unknown ones ignored),
  median-imputed numbers with missing-indicators and a signed ``log1p`` (counts
  and company sizes are heavy-tailed), standardised, into ``LogisticRegression``.

Neither wins everywhere. On the X Education export the trees rank clearly better
(cross-validated AUC 0.90 against 0.86). On the demo company, whose outcomes are
drawn from an additive logit, the linear model is ahead by about 0.015 with a few
hundred won leads and the two are level with 6,500. So the default, ``"auto"``,
lets the company's own history decide: both are scored by 3-fold cross-validated
AUC on the training rows and the better one is fitted.

Calibration: the learner's out-of-fold scores on 3 *shuffled*, stratified folds
(every fold sees both outcomes and every period of the data) are mapped to
probabilities by Platt scaling whose slope is held positive, then the learner is
refitted on all rows: one learner to predict with and to explain. Both guards
matter. scikit-learn's ``CalibratedClassifierCV(cv=3)`` cuts the rows into folds
in file order; on a file sorted by date each fold is a different period, the
scores of a period the learner never saw run against its outcomes, the fitted
slope comes out negative, and every prediction is turned upside down (AUC 0.13
where the same rows shuffled give 0.87). A calibrator is only allowed to say how
sure the ranking is, never to reverse it: with no usable relation its slope stays
at a small positive floor and the probabilities sit near the base rate, still in
the learner's order. Sigmoid rather than isotonic because its smooth curve keeps
every difference between two leads visible to the reasons below.

Reasons: a feature's *effect* on one lead is how much the calibrated log-odds
drop when that feature alone is set to the training set's typical value (median
number, most frequent known category), the rest of the lead unchanged. For the
linear model this is exactly the coefficient times the difference from typical,
summed over its one-hot columns. For the trees it is an occlusion estimate: one
prediction per feature (batched over rows), no private tree internals, and it
reads naturally ("requested 2 demos where the typical lead requested 1: +0.4");
what it leaves out is effects that only exist in combination, which show up in
no single feature's effect.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.optimize import minimize
from sklearn.base import clone  # type: ignore[import-untyped]
from sklearn.compose import ColumnTransformer  # type: ignore[import-untyped]
from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
from sklearn.impute import SimpleImputer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline, make_pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import (  # type: ignore[import-untyped]
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from revloop.engine.predictive.dataset import FeatureReport, prepare
from revloop.engine.predictive.features import ColumnStatus, FeaturePlan

Learner = Literal["boosting", "linear"]
Algorithm = Literal["auto", "boosting", "linear"]
LEARNERS: tuple[Learner, ...] = ("boosting", "linear")
ALGORITHMS: tuple[Algorithm, ...] = ("auto", *LEARNERS)
DEFAULT_ALGORITHM: Algorithm = "auto"
FloatArray = NDArray[np.float64]

#: The category a missing categorical value is learned as.
MISSING = "(missing)"
#: Categories seen fewer times are pooled into one "infrequent" category.
MIN_CATEGORY_COUNT = 20
#: Native categorical splits allow at most 255 bins; one is the pooled category.
MAX_CATEGORIES = 250
CALIBRATION_FOLDS = 3
#: The calibration slope never falls below this: probabilities keep the learner's order.
MIN_SLOPE = 1e-3
#: Logits are computed from probabilities clipped this far from 0 and 1.
_EPS = 1e-9


@dataclass(frozen=True)
class Reason:
    """One feature's push on one lead's probability, against the typical lead."""

    feature: str
    value: str
    typical: str
    #: Change in log-odds from the typical value to this lead's; positive helps.
    effect: float

    def as_dict(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "value": self.value,
            "typical": self.typical,
            "effect": round(self.effect, 4),
        }


def _signed_log1p(values: FloatArray) -> FloatArray:
    return np.sign(values) * np.log1p(np.abs(values))


def build_estimator(
    plan: FeaturePlan,
    algorithm: Learner,
    *,
    rows: int = 10_000,
    seed: int = 0,
) -> Pipeline:
    """The uncalibrated learner for ``plan``'s features (input: :func:`model_input`).

    ``rows`` (how many it will be fitted on) sizes the smallest leaf of the trees.
    """
    categorical, numeric = list(plan.categorical), list(plan.numeric)
    parts: list[tuple[str, Any, list[str]]] = []
    if algorithm == "linear":
        if categorical:
            encoder = OneHotEncoder(
                handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_COUNT
            )
            parts.append(("categorical", encoder, categorical))
        if numeric:
            scale = make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                FunctionTransformer(_signed_log1p),
                StandardScaler(),
            )
            parts.append(("numeric", scale, numeric))
        learner: Any = LogisticRegression(C=0.5, max_iter=2000)
    elif algorithm == "boosting":
        if categorical:
            encoder = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=np.nan,
                min_frequency=MIN_CATEGORY_COUNT,
                max_categories=MAX_CATEGORIES,
            )
            parts.append(("categorical", encoder, categorical))
        if numeric:
            parts.append(("numeric", "passthrough", numeric))
        # Small, strongly regularised trees and a fixed number of rounds: early
        # stopping on a random tenth of a few hundred won leads stopped at noise.
        learner = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=300,
            max_leaf_nodes=7,
            min_samples_leaf=min(100, max(10, rows // 50)),
            l2_regularization=5.0,
            categorical_features=[True] * len(categorical) + [False] * len(numeric),
            early_stopping=False,
            random_state=seed,
        )
    else:
        raise ValueError(f"unknown learner {algorithm!r}; choose from {LEARNERS}")
    columns = ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)
    return Pipeline([("columns", columns), ("learner", learner)])


def model_input(plan: FeaturePlan, frame: pl.DataFrame) -> pl.DataFrame:
    """``plan.design(frame)`` with missing categories spelled out for the encoders."""
    design = plan.design(frame)
    categorical = list(plan.categorical)
    if categorical:
        design = design.with_columns(pl.col(categorical).fill_null(MISSING))
    return design


@dataclass(frozen=True, eq=False)
class MonotoneCalibrated:
    """A learner fitted on all rows and the rising Platt curve that turns its scores
    into probabilities: ``p = 1 / (1 + exp(-(slope * score + intercept)))``, slope > 0."""

    estimator: Pipeline
    slope: float
    intercept: float

    def predict_proba(self, design: pl.DataFrame) -> FloatArray:
        score = np.asarray(self.estimator.decision_function(design), dtype=np.float64)
        z = np.clip(self.slope * score + self.intercept, -700.0, 700.0)
        positive = 1.0 / (1.0 + np.exp(-z))
        out: FloatArray = np.column_stack([1.0 - positive, positive])
        return out


def platt(scores: FloatArray, y: NDArray[np.int8]) -> tuple[float, float]:
    """``(slope, intercept)`` of the Platt curve on out-of-fold ``scores``, slope >= MIN_SLOPE.

    Platt's targets (``(won + 1) / (won + 2)`` and ``1 / (lost + 2)``) rather than 0 and
    1, as in his paper and in scikit-learn, so a fold that separates perfectly does
    not drive the slope to infinity.
    """
    won = int(y.sum())
    lost = int(y.size - won)
    target = np.where(y == 1, (won + 1.0) / (won + 2.0), 1.0 / (lost + 2.0))
    # Scaled scores keep the optimiser's steps comparable across learners.
    scale = float(np.std(scores)) or 1.0
    s = scores / scale

    def loss(params: FloatArray) -> tuple[float, FloatArray]:
        z = params[0] * s + params[1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -700.0, 700.0)))
        log_p = -np.logaddexp(0.0, -z)
        log_q = -np.logaddexp(0.0, z)
        value = -float(np.sum(target * log_p + (1.0 - target) * log_q))
        residual = p - target
        return value, np.array([np.sum(residual * s), np.sum(residual)])

    prior = np.log((won + 1.0) / (lost + 1.0))
    found = minimize(
        loss,
        np.array([1.0, prior]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(MIN_SLOPE * scale, None), (None, None)],
    )
    slope, intercept = (float(v) for v in found.x)
    return slope / scale, intercept


@dataclass(frozen=True, eq=False)
class Fitted:
    estimator: MonotoneCalibrated
    learner: Learner
    #: Inner cross-validated AUC of each learner tried (only with ``"auto"``).
    selection: Mapping[str, float]


def _out_of_fold_scores(
    estimator: Pipeline, design: pl.DataFrame, y: NDArray[np.int8], folds: list[tuple[Any, Any]]
) -> tuple[FloatArray, float]:
    """Decision scores of rows the learner did not see, and its mean per-fold AUC."""
    scores = np.empty(y.size, dtype=np.float64)
    aucs = []
    for train_rows, test_rows in folds:
        fitted = clone(estimator).fit(design[train_rows], y[train_rows])
        scores[test_rows] = fitted.decision_function(design[test_rows])
        aucs.append(roc_auc_score(y[test_rows], scores[test_rows]))
    return scores, float(np.mean(aucs))


def fit_calibrated(
    plan: FeaturePlan,
    design: pl.DataFrame,
    y: NDArray[np.int8],
    algorithm: Algorithm = DEFAULT_ALGORITHM,
    *,
    seed: int = 0,
) -> Fitted:
    """Fit on ``design`` (from :func:`model_input`) with monotone Platt calibration.

    ``"auto"`` first scores each learner by 3-fold cross-validated AUC on these
    rows and keeps the better one, so the choice is made on training data only;
    the chosen learner's out-of-fold scores are the ones calibrated. The folds are
    shuffled and stratified with ``seed``, so none is one stretch of the file.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose from {ALGORITHMS}")
    splitter = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    folds = list(splitter.split(np.zeros(y.size), y))
    candidates: tuple[Learner, ...] = LEARNERS if algorithm == "auto" else (algorithm,)
    scores: dict[Learner, FloatArray] = {}
    selection: dict[str, float] = {}
    with _one_thread():
        for learner in candidates:
            estimator = build_estimator(plan, learner, rows=design.height, seed=seed)
            scores[learner], selection[learner] = _out_of_fold_scores(estimator, design, y, folds)
        # Ties go to the linear model: simpler, and its reasons are exact.
        chosen: Learner = (
            candidates[0]
            if len(candidates) == 1
            else "boosting"
            if selection["boosting"] > selection["linear"]
            else "linear"
        )
        slope, intercept = platt(scores[chosen], y)
        final = build_estimator(plan, chosen, rows=design.height, seed=seed).fit(design, y)
    calibrated = MonotoneCalibrated(final, slope, intercept)
    return Fitted(calibrated, chosen, selection if algorithm == "auto" else {})


def _one_thread() -> threadpool_limits:
    # The trees and BLAS would take every core; scoring shares the machine with
    # the web server and the workers.
    return threadpool_limits(limits=1)


def predict_positive(estimator: Any, design: pl.DataFrame) -> FloatArray:
    """The probability of the positive class from a :class:`MonotoneCalibrated` (or from
    a model stored before it, which has the same ``predict_proba``)."""
    with _one_thread():
        proba: FloatArray = estimator.predict_proba(design)[:, 1].astype(np.float64)
    return proba


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, _EPS, 1 - _EPS)
    out: FloatArray = np.log(q) - np.log1p(-q)
    return out


def typical_values(plan: FeaturePlan, design: pl.DataFrame) -> dict[str, float | str | None]:
    """Median of each numeric feature, most frequent known value of each categorical one."""
    typical: dict[str, float | str | None] = {}
    categorical = set(plan.categorical)
    for name in plan.features():
        column = design.get_column(name)
        if name in categorical:
            # The commonest known value: "compared with a lead in software" reads
            # better than "compared with a lead whose industry we do not know".
            counts = column.filter(column != MISSING).value_counts(sort=True)
            typical[name] = str(counts.row(0)[0]) if counts.height else MISSING
        else:
            median = column.median()
            typical[name] = float(median) if isinstance(median, int | float) else None
    return typical


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    return str(value)


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A fitted, calibrated lead-scoring model; pickles with joblib or pickle."""

    target: str
    #: The learner in use (``"auto"`` resolves to one of :data:`LEARNERS`).
    algorithm: Learner
    plan: FeaturePlan
    estimator: MonotoneCalibrated
    typical: Mapping[str, float | str | None]
    rows: int
    positives: int
    features: tuple[FeatureReport, ...]
    #: Inner cross-validated AUC of each learner when it was chosen automatically.
    selection: Mapping[str, float]

    @property
    def used(self) -> tuple[str, ...]:
        return self.plan.features()

    def predict_proba(self, frame: pl.DataFrame) -> FloatArray:
        """Calibrated probability of becoming a customer, one per row of ``frame``.

        ``frame`` needs the feature columns (by name; others are ignored; a
        missing one counts as unknown for every row).
        """
        if frame.height == 0:
            return np.zeros(0, dtype=np.float64)
        return predict_positive(self.estimator, model_input(self.plan, frame))

    def effects(self, frame: pl.DataFrame) -> FloatArray:
        """Per row and used feature (columns in :attr:`used` order): effect in log-odds."""
        names = self.used
        if frame.height == 0:
            return np.zeros((0, len(names)), dtype=np.float64)
        design = model_input(self.plan, frame)
        base = _logit(predict_positive(self.estimator, design))
        out = np.zeros((design.height, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            value = self.typical[name]
            column = design.get_column(name)
            # Rows that already hold the typical value have no effect: most rows,
            # for counts whose median is 0 or 1, so only the others are predicted.
            differs = column.is_not_null() if value is None else (column != value).fill_null(True)
            rows = np.flatnonzero(differs.to_numpy())
            if rows.size == 0:
                continue
            swapped = design[rows].with_columns(pl.lit(value, dtype=column.dtype).alias(name))
            out[rows, j] = base[rows] - _logit(predict_positive(self.estimator, swapped))
        return out

    def explain(self, frame: pl.DataFrame, top: int = 3) -> list[tuple[Reason, ...]]:
        """The ``top`` features that move each row's probability most, strongest first.

        A feature whose value is the typical one has no effect and is never a reason.
        """
        names = self.used
        effects = self.effects(frame)
        design = self.plan.design(frame)
        reasons: list[tuple[Reason, ...]] = []
        order = np.argsort(-np.abs(effects), axis=1, kind="stable")[:, :top]
        columns = {name: design.get_column(name).to_list() for name in names}
        for row in range(effects.shape[0]):
            picked = []
            for j in order[row]:
                effect = float(effects[row, j])
                if abs(effect) < 1e-6:
                    continue
                name = names[j]
                picked.append(
                    Reason(name, _shown(columns[name][row]), _shown(self.typical[name]), effect)
                )
            reasons.append(tuple(picked))
        return reasons

    def as_dict(self) -> dict[str, object]:
        """What was trained on what (not the model itself: pickle that)."""
        return {
            "target": self.target,
            "algorithm": self.algorithm,
            "selection": dict(self.selection),
            "rows": self.rows,
            "positives": self.positives,
            "used": list(self.used),
            "features": [f.as_dict() for f in self.features],
        }


def train(
    frame: pl.DataFrame,
    target: str,
    *,
    time_column: str | None = None,
    keep_leaky: bool = False,
    exclude: Collection[str] = (),
    keep: Collection[str] = (),
    algorithm: Algorithm = DEFAULT_ALGORITHM,
    seed: int = 0,
) -> TrainedModel:
    """Learn a calibrated model from every row of ``frame`` whose ``target`` is known.

    Columns are typed and screened as in :func:`~revloop.engine.predictive.dataset.prepare`:
    identifiers, free text, dates and post-handoff columns are left out, and so is
    any feature whose cross-validated AUC on its own reaches 0.9, unless
    ``keep_leaky``. ``time_column`` is only kept out of the features here; it
    matters for evaluation.
    """
    data = prepare(
        frame,
        target,
        time_column=time_column,
        keep_leaky=keep_leaky,
        exclude=exclude,
        keep=keep,
        seed=seed,
    )
    design = model_input(data.plan, data.frame)
    fitted = fit_calibrated(data.plan, design, data.y, algorithm, seed=seed)
    return TrainedModel(
        target=target,
        algorithm=fitted.learner,
        plan=data.plan,
        estimator=fitted.estimator,
        typical=typical_values(data.plan, design),
        rows=data.frame.height,
        positives=data.positives,
        features=data.report,
        selection=fitted.selection,
    )


def leaky_features(features: tuple[FeatureReport, ...]) -> tuple[str, ...]:
    """Names flagged as probable leakage, excluded or kept."""
    flagged = (ColumnStatus.LEAKY, ColumnStatus.LEAKY_KEPT)
    return tuple(f.name for f in features if f.status in flagged)
