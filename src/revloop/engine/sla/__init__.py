"""Business-hours clocks for service levels: deadlines and elapsed business time.

``BusinessCalendar`` holds one zone's working days, hours and holidays (the
contract's ``sla.business_hours`` or a named ``sla.calendars`` entry, in the rep's
zone). Deadlines are computed across nights, weekends, holidays and daylight-saving
changes; see ``windows`` for how a clock time in a DST gap or fold is read.
"""

from revloop.engine.sla.calendar import (
    WEEKDAY_NAMES,
    BusinessCalendar,
    add_business_days,
    calendar_of,
)

__all__ = ["WEEKDAY_NAMES", "BusinessCalendar", "add_business_days", "calendar_of"]
