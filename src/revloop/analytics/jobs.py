"""Keep the Marketing page's reports computed, so the page never waits for them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from revloop.analytics.reports import refresh_reports
from revloop.analytics.store import copy_wanted, rebuild_copy
from revloop.worker.registry import periodic


@periodic(every=timedelta(minutes=5), queue="slow")
def refresh_marketing_reports(now: datetime) -> dict[str, Any] | None:
    """Bring the DuckDB copy up to date (on the companies whose reports read one), then
    recompute the stale default reports; reports whose data has not changed are left as
    they are, so a quiet company costs a few index look-ups."""
    copied = rebuild_copy()[1] if copy_wanted() else False
    done = refresh_reports()
    computed = [entry["report"] for entry in done if not entry["hit"]]
    if not computed and not copied:
        return None
    return {"computed": computed, "copied": copied}
