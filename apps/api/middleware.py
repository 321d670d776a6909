"""HTTP habits of the API that sit below DRF: a missing trailing slash is accepted (a redirect
would lose a POST's body), a chunked body without a length is refused with 411 (WSGI would read
it as empty), and API responses are never stored by caches (`Cache-Control: no-store`)."""

from django.http import HttpResponse, JsonResponse
from django.urls import is_valid_path
from django.utils.cache import patch_cache_control

from apps.api.errors import error_body

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


class ApiHttpMiddleware:
    """Placed before CommonMiddleware, whose APPEND_SLASH would answer a 301 to the slashed URL:
    clients follow it with a GET and no body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _chunked_without_length(request.META):
            return length_required(request)
        if is_api(request):
            _append_missing_slash(request)
        response = self.get_response(request)
        if is_api(request) and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _chunked_without_length(meta) -> bool:
    # WSGI gives the body only up to CONTENT_LENGTH; a chunked body has none and reads as empty.
    chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked and not meta.get("CONTENT_LENGTH")


def length_required(request):
    message = "Send the body with a Content-Length; chunked request bodies are not accepted."
    if is_api(request):
        return JsonResponse(error_body("length_required", message), status=411)
    return HttpResponse(message, status=411, content_type="text/plain; charset=utf-8")


def _append_missing_slash(request) -> None:
    path = request.path_info
    if path.endswith("/") or is_valid_path(path) or not is_valid_path(f"{path}/"):
        return
    request.path_info = f"{path}/"
    request.path = f"{request.path}/"
