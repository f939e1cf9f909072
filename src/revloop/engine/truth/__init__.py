"""Truth in messaging: the offer catalog and the copy checker that holds copy to it."""

from revloop.engine.truth.catalog import (
    Catalog,
    CatalogError,
    CatalogInvalid,
    Fact,
    Plan,
    Product,
    catalog_digest,
    check_catalog,
    load_catalog,
    parse_catalog,
)
from revloop.engine.truth.check import (
    DENIES_TRUE_FACT,
    FALSE_CLAIM,
    WRONG_VALUE,
    Checker,
    Finding,
    Report,
    SentenceEncoder,
    check_copy,
)
from revloop.engine.truth.entities import (
    PLAN_PRICE,
    UNKNOWN_CERTIFICATION,
    UNKNOWN_INTEGRATION,
    UNKNOWN_PLAN,
    UNKNOWN_PRODUCT,
)
from revloop.engine.truth.extract import FORMATS, Extracted, detect_format, extract

__all__ = [
    "DENIES_TRUE_FACT",
    "FALSE_CLAIM",
    "FORMATS",
    "PLAN_PRICE",
    "UNKNOWN_CERTIFICATION",
    "UNKNOWN_INTEGRATION",
    "UNKNOWN_PLAN",
    "UNKNOWN_PRODUCT",
    "WRONG_VALUE",
    "Catalog",
    "CatalogError",
    "CatalogInvalid",
    "Checker",
    "Extracted",
    "Fact",
    "Finding",
    "Plan",
    "Product",
    "Report",
    "SentenceEncoder",
    "catalog_digest",
    "check_catalog",
    "check_copy",
    "detect_format",
    "extract",
    "load_catalog",
    "parse_catalog",
]
