"""Segment-spec paths, included at the site root as /v1/…"""

from __future__ import annotations

from django.urls import path

from revloop.capture import segment_views
from revloop.capture.segment import CALL_TYPES

urlpatterns = [
    path("batch", segment_views.batch, name="segment-batch"),
    path("import", segment_views.batch, name="segment-import"),
    *(path(call, segment_views.single_call(call), name=f"segment-{call}") for call in CALL_TYPES),
]
