from django.contrib import admin
from django.urls import include, path

from revloop.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Segment and RudderStack libraries send to <host>/v1/…
    path("v1/", include("revloop.capture.segment_urls")),
    path("", include("revloop.web.urls")),
]
