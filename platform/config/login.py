"""The log-in page, throttled against password guessing.

Failed log-ins are counted in the cache (Redis in production, so every web process shares the
counts) per username and per client address, in a fixed 15-minute window. Past the limit the page
answers 429 without checking the password at all, so a correct guess is refused too and the lock
cannot be used to confirm it. A successful log-in clears its username's count; the address count
is left to expire, so logging into one's own account cannot reset a guessing run on others.

A username is counted under the name the form authenticates (its field's own cleaning: stripped,
NFKC-normalised), then case-folded: every spelling that can log into one account (full-width
letters, compatibility characters, stray spaces, case) shares that account's count.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 15 * 60
FAILURES_PER_USERNAME = 10
# Higher than per username: a lecture hall behind one NAT address shares it.
FAILURES_PER_ADDRESS = 50


def _key(kind: str, value: str) -> str:
    # Hashed: usernames are attacker-chosen text of any length; cache keys must stay short and plain.
    return f"login-failures:{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _username(name: str) -> str:
    # ``name`` is already what the form authenticates (ThrottledLoginView._posted_username); case
    # folding can leave text that is not NFKC again, hence the second normalisation.
    return unicodedata.normalize("NFKC", name.strip().casefold())


def _trusted_proxy_hops() -> int:
    # Behind the deployment's reverse proxy (DJANGO_BEHIND_PROXY) every request comes from the
    # proxy's address: counting that would let 50 typos lock out everyone. One hop by default there.
    default = 1 if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) else 0
    return int(getattr(settings, "TRUSTED_PROXY_HOPS", default))


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer, or behind N trusted proxies the N-th X-Forwarded-For entry
    from the right (the one our own proxy appended). Entries further left are whatever the client
    sent, so they are never used: a forged header gets no fresh counts."""
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    hops = _trusted_proxy_hops()
    if hops <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-hops][:64] if len(forwarded) >= hops else peer


def _counts(*, username: str, address: str) -> tuple[int, int]:
    values = cache.get_many([_key("user", username), _key("addr", address)])
    return int(values.get(_key("user", username), 0)), int(values.get(_key("addr", address), 0))


def login_locked(*, username: str, address: str) -> bool:
    try:
        by_user, by_address = _counts(username=_username(username), address=address)
    except Exception:  # a cache outage must not lock everybody out
        logger.warning("login throttle cache unavailable; not throttling", exc_info=True)
        return False
    return by_user >= FAILURES_PER_USERNAME or by_address >= FAILURES_PER_ADDRESS


def login_failure_record(*, username: str, address: str) -> None:
    try:
        for key in (_key("user", _username(username)), _key("addr", address)):
            cache.add(key, 0, timeout=WINDOW_SECONDS)  # the window starts at the first failure
            cache.incr(key)
    except Exception:
        logger.warning("login throttle cache unavailable; failure not counted", exc_info=True)


def login_failures_clear(*, username: str) -> None:
    try:
        cache.delete(_key("user", _username(username)))
    except Exception:
        logger.warning("login throttle cache unavailable", exc_info=True)


@method_decorator(login_not_required, name="dispatch")
class ThrottledLoginView(LoginView):
    def _posted_username(self) -> str:
        """The posted username as the form will authenticate it: cleaned by the form's own field
        (for the admin form too), so no spelling the form accepts escapes the count."""
        field = self.get_form_class()(self.request).fields["username"]
        return str(field.to_python(self.request.POST.get("username", "")))

    def locked_response(self, form: AuthenticationForm) -> HttpResponse:
        message = _("Too many failed log-ins. Wait 15 minutes and try again.")
        response = self.render_to_response(self.get_context_data(form=form, locked_message=message))
        response.status_code = 429
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if login_locked(username=self._posted_username(), address=client_address(request)):
            # Checked before the password: while locked, even the right one is refused.
            # An unbound form: the template must not validate (authenticate) the posted one.
            return self.locked_response(self.get_form_class()(request))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username, address = self._posted_username(), client_address(self.request)
        login_failure_record(username=username, address=address)
        if login_locked(username=username, address=address):
            return self.locked_response(form)
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        login_failures_clear(username=self._posted_username())
        return super().form_valid(form)
