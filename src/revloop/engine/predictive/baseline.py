"""The baseline: Odoo's predictive lead scoring, a naive-Bayes frequency model.

Odoo CRM (``addons/crm/models/crm_lead.py``, ``_pls_get_naive_bayes_probabilities``
and the frequency table ``crm.lead.scoring.frequency``) scores a lead like this:

1. For every field value, count the won and the lost leads that had it, and add
   0.1 to each count when the value enters the table (its Laplace smoothing).
2. A field's won total is the sum of its values' smoothed won counts; likewise lost.
3. The prior is the (smoothed) number of won and of lost leads.
4. ``S(won) = P(won) * prod over the lead's set fields of won(value) / won_total(field)``,
   ``S(lost)`` likewise; a field that is empty on the lead, or a value never seen in
   training, is skipped.
5. ``probability = S(won) / (S(won) + S(lost))``, as a percentage rounded to two
   decimals and clamped to [0.01, 99.99]. Nothing calibrates it.

This is that model, vectorised: the product is summed as logarithms (the same
number, without underflow when many fields multiply), and every field is used
with equal trust. Odoo only scores categorical fields (country, source, language,
tags ...); here numeric and boolean features get the same treatment after being
cut into at most ten quantile bins, since a frequency table over raw numbers
would see almost every value once. Odoo's special cases that have no counterpart
in a flat table (per-team tables, the stage variable, the 50-lead minimum for tags)
are left out; the stage would be leakage here anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from revloop.engine.predictive.encoding import Coder, fit_coder

#: Odoo adds this to every won and lost count.
LAPLACE = 0.1
NUMERIC_BINS = 10
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NaiveBayesBaseline:
    coders: tuple[Coder, ...]
    #: Per feature, per code: log(won(value) / won_total) - log(lost(value) / lost_total).
    log_ratios: tuple[FloatArray, ...]
    prior_log_odds: float

    @classmethod
    def fit(cls, design: pl.DataFrame, y: NDArray[np.int8]) -> NaiveBayesBaseline:
        """Learn the frequency table from ``design`` (see ``FeaturePlan.design``) and ``y``."""
        won_leads = float(y.sum())
        lost_leads = float(y.size - y.sum())
        target = y.astype(np.float64)
        coders: list[Coder] = []
        ratios: list[FloatArray] = []
        for name in design.columns:
            column = design.get_column(name)
            coder = fit_coder(column, NUMERIC_BINS)
            codes = coder.codes(column)
            seen = codes >= 0  # an empty field is not counted, as in Odoo
            won = np.bincount(codes[seen], weights=target[seen], minlength=coder.size)
            lost = np.bincount(codes[seen], weights=1.0 - target[seen], minlength=coder.size)
            present = np.bincount(codes[seen], minlength=coder.size) > 0
            won = np.where(present, won + LAPLACE, 0.0)
            lost = np.where(present, lost + LAPLACE, 0.0)
            ratio = np.zeros(coder.size, dtype=np.float64)
            ratio[present] = np.log(won[present] / won.sum()) - np.log(lost[present] / lost.sum())
            coders.append(coder)
            ratios.append(ratio)
        prior = np.log(won_leads + LAPLACE) - np.log(lost_leads + LAPLACE)
        return cls(tuple(coders), tuple(ratios), float(prior))

    def log_odds(self, design: pl.DataFrame) -> FloatArray:
        total = np.full(design.height, self.prior_log_odds, dtype=np.float64)
        for coder, ratio in zip(self.coders, self.log_ratios, strict=True):
            codes = coder.codes(design.get_column(coder.name))
            known = codes >= 0
            total[known] += ratio[codes[known]]
        return total

    def predict_proba(self, design: pl.DataFrame) -> FloatArray:
        """Odoo's automated probability, as a fraction: rounded, clamped, uncalibrated."""
        percent = 100.0 / (1.0 + np.exp(-np.clip(self.log_odds(design), -700, 700)))
        return np.clip(np.round(percent, 2), 0.01, 99.99) / 100.0
