"""How the API knows who is calling: the staff's session cookie (the API has no other
credentials).

DRF's ``SessionAuthentication`` names no challenge, so DRF answers an anonymous request to a
signed-in operation with 403. This one names the cookie scheme (``Cookie``, with the login form
and the cookie's name, as draft-broyer-http-cookie-auth spells it), so that request is a 401
with ``WWW-Authenticate``, as HTTP means it (walkthrough finding 17), and the schema documents
401 "not signed in" apart from 403 "signed in, but not allowed". A signed-in request without its
CSRF token is still a 403.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate_header(self, request: Request) -> str:
        return f'Cookie realm="servicehall", form-action="{reverse("login")}", cookie-name="{settings.SESSION_COOKIE_NAME}"'
