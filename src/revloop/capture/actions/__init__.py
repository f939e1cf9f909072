"""Capture's changes of state: every way data comes in, and the tracker's settings.

Each module holds the actions of one way in; parsing and validation stay beside them
in ``revloop.capture`` (``events``, ``forms``, ``people``, ``segment``, ``importer``,
``uploads``, ``site_keys``). Callers import from here.
"""

from revloop.capture.actions.events import do_ingest_events
from revloop.capture.actions.forms import do_submit_form
from revloop.capture.actions.imports import do_import_file
from revloop.capture.actions.members import do_import_campaign_members
from revloop.capture.actions.people import do_identify, do_upsert_people
from revloop.capture.actions.segment import do_ingest_segment, do_link_group, do_link_ids
from revloop.capture.actions.site_keys import (
    do_rotate_site_key,
    do_save_event_mapping,
    do_set_tracking_options,
)
from revloop.capture.actions.uploads import do_import_upload

__all__ = [
    "do_identify",
    "do_import_campaign_members",
    "do_import_file",
    "do_import_upload",
    "do_ingest_events",
    "do_ingest_segment",
    "do_link_group",
    "do_link_ids",
    "do_rotate_site_key",
    "do_save_event_mapping",
    "do_set_tracking_options",
    "do_submit_form",
    "do_upsert_people",
]
