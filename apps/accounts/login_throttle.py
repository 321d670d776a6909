"""The admin sign-in throttle: after too many failed sign-ins for one login or from one address,
the admin's login form is refused (429) for a while, whatever the password.

Failures are counted in the cache (Redis in production, so every web process shares them) from
Django's `user_login_failed` signal; the middleware refuses a POST to the login form while a
count is at its limit. A successful sign-in clears its login's count. The API's token sign-in
has its own throttle (the `auth` rate)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from apps.core.cache import UNAVAILABLE


def _window() -> int:
    return int(settings.SERVICEDESK_ADMIN_LOGIN_LOCKOUT_MINUTES * 60)


def _keys(request, username: str) -> list[tuple[str, int]]:
    """The counters a sign-in attempt counts against, with their limits."""
    address = BaseThrottle().get_ident(request)
    return [
        (
            f"admin-login:user:{username.strip().lower()[:150]}",
            settings.SERVICEDESK_ADMIN_LOGIN_FAILURES,
        ),
        (f"admin-login:ip:{address}", settings.SERVICEDESK_ADMIN_LOGIN_FAILURES_PER_ADDRESS),
    ]


def _is_admin_login(request) -> bool:
    return request is not None and request.path == reverse("admin:login")


@receiver(user_login_failed, dispatch_uid="admin_login_throttle_failed")
def count_failure(sender, credentials, request=None, **kwargs):
    if not _is_admin_login(request):
        return
    for key, _limit in _keys(request, str(credentials.get("username", ""))):
        try:
            if not cache.add(key, 1, _window()):
                cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, _window())
        except UNAVAILABLE:
            return


@receiver(user_logged_in, dispatch_uid="admin_login_throttle_succeeded")
def clear_failures(sender, request=None, user=None, **kwargs):
    if _is_admin_login(request) and user is not None:
        cache.delete(_keys(request, user.get_username())[0][0])


def locked_out(request, username: str) -> bool:
    """Whether a sign-in as `username` from this request's address is refused now."""
    counts = cache.get_many([key for key, _limit in _keys(request, username)])
    return any(counts.get(key, 0) >= limit for key, limit in _keys(request, username))


class AdminLoginThrottleMiddleware:
    """Refuses a POST to the admin's login form while its login or address is locked out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and _is_admin_login(request)
            and locked_out(request, request.POST.get("username", ""))
        ):
            return HttpResponse(
                _("Too many failed sign-ins. Try again in %(minutes)s minutes.")
                % {"minutes": settings.SERVICEDESK_ADMIN_LOGIN_LOCKOUT_MINUTES},
                status=429,
                content_type="text/plain; charset=utf-8",
                headers={"Retry-After": str(_window())},
            )
        return self.get_response(request)
