"""People's changes of state: a person's records, their personal data, and merges."""

from revloop.people.actions.merge import apply_merge_plans, do_dedupe, do_merge_people
from revloop.people.actions.records import (
    ERASED_KEY,
    PERSONAL_FIELDS,
    Erasure,
    check_can_handle_personal_data,
    do_adopt_email,
    do_create_account,
    do_erase_person,
    do_export_person,
    do_fill_people,
    do_join_group_account,
    do_set_consent,
    do_update_accounts,
)

__all__ = [
    "ERASED_KEY",
    "PERSONAL_FIELDS",
    "Erasure",
    "apply_merge_plans",
    "check_can_handle_personal_data",
    "do_adopt_email",
    "do_create_account",
    "do_dedupe",
    "do_erase_person",
    "do_export_person",
    "do_fill_people",
    "do_join_group_account",
    "do_merge_people",
    "do_set_consent",
    "do_update_accounts",
]
