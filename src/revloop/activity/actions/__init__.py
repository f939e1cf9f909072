"""Activity's changes of state: campaign audiences, touches stored and stitched, erasures."""

from revloop.activity.actions.campaigns import (
    NewMember,
    do_add_campaign_members,
    do_record_campaign_members,
    do_scrub_touches,
    in_holdout,
)
from revloop.activity.actions.touches import do_insert_touches, do_stitch_anonymous_touches

__all__ = [
    "NewMember",
    "do_add_campaign_members",
    "do_insert_touches",
    "do_record_campaign_members",
    "do_scrub_touches",
    "do_stitch_anonymous_touches",
    "in_holdout",
]
