"""Requests as a view sees them once authentication has let them in.

Django and django-ninja add these attributes at run time; annotating a view's
``request`` with one of these classes tells the type checker what is there.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from revloop.users.models import ApiToken, User


class ApiRequest(HttpRequest):
    """An API request whose bearer token was accepted: ``auth`` is the token's user."""

    auth: User
    api_token: ApiToken


class PageRequest(HttpRequest):
    """A page request of a signed-in user (behind ``login_required``, or the admin's
    login), through django-htmx's middleware."""

    user: User
    htmx: HtmxDetails
