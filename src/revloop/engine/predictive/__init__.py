"""Predictive lead scoring learned from the company's own won / lost history.

``train`` fits a calibrated model and returns a :class:`TrainedModel` that predicts a
probability of becoming a customer with the top reasons for each lead;
``evaluate_frame`` measures it on held-out rows (time split or cross-validation)
next to an Odoo-style naive-Bayes baseline; ``read_table`` reads a CSV export.
Columns recorded after the handoff to sales, identifiers, and any feature that
predicts the outcome alone with AUC 0.9 or more are kept out, and reported.
"""

from revloop.engine.predictive.baseline import NaiveBayesBaseline
from revloop.engine.predictive.dataset import Dataset, DatasetError, FeatureReport, prepare
from revloop.engine.predictive.demo_frame import (
    demo_feature_frame,
    feature_frame,
    open_people,
    people_feature_frame,
)
from revloop.engine.predictive.evaluation import Evaluation, evaluate_frame, format_evaluation
from revloop.engine.predictive.features import (
    ColumnKind,
    ColumnStatus,
    FeaturePlan,
    TargetError,
    plan_columns,
    post_handoff,
)
from revloop.engine.predictive.leakage import LEAKAGE_AUC, single_feature_auc
from revloop.engine.predictive.metrics import CalibrationBin, Metrics, measure
from revloop.engine.predictive.model import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    Algorithm,
    Reason,
    TrainedModel,
    train,
)
from revloop.engine.predictive.table import read_table

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "LEAKAGE_AUC",
    "Algorithm",
    "CalibrationBin",
    "ColumnKind",
    "ColumnStatus",
    "Dataset",
    "DatasetError",
    "Evaluation",
    "FeaturePlan",
    "FeatureReport",
    "Metrics",
    "NaiveBayesBaseline",
    "Reason",
    "TargetError",
    "TrainedModel",
    "demo_feature_frame",
    "evaluate_frame",
    "feature_frame",
    "format_evaluation",
    "measure",
    "open_people",
    "people_feature_frame",
    "plan_columns",
    "post_handoff",
    "prepare",
    "read_table",
    "single_feature_auc",
    "train",
]
