from django.contrib import admin
from django.urls import include, path

from revloop.api.api import api
from revloop.api.health import healthz
from revloop.capture.tracker_views import tracker_script

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # For load balancers and monitors: the database and the worker's heartbeat.
    path("healthz", healthz, name="healthz"),
    # Segment and RudderStack libraries send to <host>/v1/…
    path("v1/", include("revloop.capture.segment_urls")),
    # The website tracker that the snippet in Settings → Tracking loads.
    path("t.js", tracker_script, name="tracker-script"),
    path("", include("revloop.web.urls")),
]

# Django calls it inside the failed request's `except`, where the error can be read.
handler500 = "revloop.web.errors.server_error"
