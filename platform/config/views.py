from core.http import json_error
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as html_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.health import health_report


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """JSON endpoints answer JSON (the browser shows ``error``); pages keep Django's page."""
    if request.path.startswith("/api/"):
        return json_error(_("Security check failed; reload the page and try again."), 403)
    return html_csrf_failure(request, reason)
