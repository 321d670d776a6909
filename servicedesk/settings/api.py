"""The API's settings: DRF (authentication, throttles, errors), the OpenAPI schema, tokens."""

from datetime import timedelta

import environ

env = environ.Env()

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "apps.api.page_size.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["apps.api.filters.FilterBackend"],
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.AnonRateThrottle",
        "apps.api.throttling.UserRateThrottle",
        "apps.api.throttling.ScopedRateThrottle",
    ],
    # Per anonymous IP, per user, and per endpoint scope; raise them for load tests.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("SERVICEDESK_THROTTLE_ANON", default="60/minute"),
        "user": env.str("SERVICEDESK_THROTTLE_USER", default="600/minute"),
        "auth": env.str("SERVICEDESK_THROTTLE_AUTH", default="10/minute"),
        "faq": env.str("SERVICEDESK_THROTTLE_FAQ", default="30/minute"),
    },
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
}

# API tokens (django-rest-knox): only their SHA-512 digest is stored. A token expires after
# SERVICEDESK_TOKEN_TTL_HOURS without use (each use extends it, at most once an hour) and
# SERVICEDESK_TOKEN_MAX_TTL_DAYS after it was issued, whatever the use; then sign in again.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("SERVICEDESK_TOKEN_TTL_HOURS", default=24 * 7)),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env.float("SERVICEDESK_TOKEN_MAX_TTL_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Service desk API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": (
        "Customers submit and follow service requests; agents work their queues. "
        'Errors are JSON: {"error": {"code", "message", ...}}.'
    ),
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "apps.lifecycle.priority.Level",
        # Messages' authors and attachments' uploaders: one set of roles, under its first name.
        "AuthorRoleEnum": "apps.accounts.actors.Role",
        "NotificationKindEnum": "apps.notifications.kinds.NotificationKind",
        "HandoffKindEnum": "apps.handoffs.models.HandoffKind",
        # Problems name three indicators; PDCA cycles every indicator of the scorecard.
        "ProblemIndicatorEnum": "apps.improvement.models.Indicator",
        "ScorecardIndicatorEnum": "apps.quality.scorecard.INDICATORS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema_errors.add_error_responses",
        "apps.api.idempotency.add_idempotency_key_parameter",
        "apps.api.schema_strict.state_input_rules",
    ],
}
