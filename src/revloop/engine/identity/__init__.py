"""Identity resolution: who a record is (email), where they work (account), who else they are
(duplicates). Framework-free; the Django side stores what these functions decide.
"""

from revloop.engine.identity.accounts import (
    AccountCandidate,
    AccountMatch,
    AccountMatcher,
    MatchReason,
    PersonToMatch,
    match_accounts,
    normalize_company_name,
    normalize_domain,
)
from revloop.engine.identity.dedupe import (
    DuplicateCluster,
    FieldConflict,
    MergePlan,
    PeopleColumns,
    canonical_email_series,
    find_duplicates,
    plan_merge,
    plan_merges,
)
from revloop.engine.identity.email import (
    InvalidEmail,
    NormalizedEmail,
    canonical_email,
    normalize_email,
)
from revloop.engine.identity.freemail import free_mail_domains, is_free_mail_domain

__all__ = [
    "AccountCandidate",
    "AccountMatch",
    "AccountMatcher",
    "DuplicateCluster",
    "FieldConflict",
    "InvalidEmail",
    "MatchReason",
    "MergePlan",
    "NormalizedEmail",
    "PeopleColumns",
    "PersonToMatch",
    "canonical_email",
    "canonical_email_series",
    "find_duplicates",
    "free_mail_domains",
    "is_free_mail_domain",
    "match_accounts",
    "normalize_company_name",
    "normalize_domain",
    "normalize_email",
    "plan_merge",
    "plan_merges",
]
