"""The reports' choices, importable without the query engines (commands start fast)."""

from __future__ import annotations

ENGINES = ("auto", "database", "duckdb", "spark")
#: ``revloop.engine.analytics.Outcome`` and ``Level``, spelled out (a test keeps them equal).
OUTCOMES = ("mql", "pipeline", "revenue")
LEVELS = ("channel", "campaign", "content")
MODEL_LABELS = {
    "first": "First touch",
    "last": "Last touch",
    "linear": "Linear",
    "u_shaped": "U-shaped",
    "w_shaped": "W-shaped",
    "full_path": "Full path",
    "time_decay": "Time decay",
    "j_shaped": "J-shaped",
    "inverse_j": "Inverse J",
    "markov": "Markov chain",
    "shapley": "Shapley value",
}
