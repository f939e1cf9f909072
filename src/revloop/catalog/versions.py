"""Which catalog is in force, and the parsed form of any stored version."""

from __future__ import annotations

from functools import lru_cache

from revloop.catalog.models import CatalogStatus, CatalogVersion
from revloop.core.bounds import parse_id
from revloop.core.errors import NotFoundError
from revloop.engine.truth import Catalog, Checker, parse_catalog


def active_version() -> CatalogVersion | None:
    return CatalogVersion.objects.filter(status=CatalogStatus.ACTIVE).first()


def active_catalog() -> tuple[CatalogVersion, Catalog]:
    """The version in force and its catalog; an error when none was ever saved."""
    version = active_version()
    if version is None:
        raise NotFoundError(
            "no offer catalog has been saved yet; save one with `revloop catalog save FILE`"
        )
    return version, catalog_of(version)


def catalog_of(version: CatalogVersion) -> Catalog:
    return _parse(version.number, version.digest, version.text)


def active_checker() -> tuple[CatalogVersion, Checker]:
    version, _ = active_catalog()
    return version, _checker(version.number, version.digest, version.text)


def get_version(number: int | str) -> CatalogVersion:
    """A version by its number (``3`` or ``v3``)."""
    text = str(number).strip().lower().removeprefix("v")
    if (wanted := parse_id(text)) is None:
        raise NotFoundError(f"{number!r} is not a version number (like 3 or v3)")
    found = CatalogVersion.objects.filter(number=wanted).first()
    if found is None:
        raise NotFoundError(f"there is no catalog version {wanted}")
    return found


@lru_cache(maxsize=16)
def _parse(number: int, digest: str, text: str) -> Catalog:
    del digest  # part of the cache key, with the text that never changes
    return parse_catalog(text, source=f"catalog v{number}")


@lru_cache(maxsize=4)
def _checker(number: int, digest: str, text: str) -> Checker:
    return Checker(_parse(number, digest, text))
