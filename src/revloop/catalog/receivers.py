"""Copy is checked whenever it changes and whenever the promises it is held to change.

Both run once the saving transaction commits, as revloop itself (no user): the
person who saved the asset or the catalog may not hold a catalog role, and the
check must happen all the same.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from revloop.activity.models import ContentAsset
from revloop.catalog.actions import catalog_saved, do_check_all_content, do_check_content

logger = logging.getLogger(__name__)


@receiver(post_save, sender=ContentAsset, dispatch_uid="catalog.check_saved_asset")
def check_saved_asset(sender: Any, instance: ContentAsset, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures load rows as they are
    # robust: a check that fails is logged; the asset stays saved either way.
    transaction.on_commit(partial(do_check_content, instance.pk, by=None), robust=True)


@receiver(catalog_saved, dispatch_uid="catalog.recheck_all_content")
def recheck_all_content(sender: Any, **kwargs: Any) -> None:
    try:
        do_check_all_content(by=None)
    except Exception:
        # The new version is saved whatever happens here; the next save checks again.
        logger.exception("re-checking content against the new catalog failed")
