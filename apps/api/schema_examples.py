"""Examples for the sign-in and `me/` endpoints in the OpenAPI schema."""

from drf_spectacular.utils import OpenApiExample

TOKEN_REQUEST = OpenApiExample(
    "Sign in", request_only=True, value={"username": "carol", "password": "demo-pass-2026"}
)
TOKEN = OpenApiExample(
    "A token", response_only=True, value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}
)
ME = OpenApiExample(
    "An agent",
    response_only=True,
    value={
        "username": "alice",
        "role": "agent",
        "agent_id": 1,
        "customer_id": None,
        "departments": ["IT support"],
    },
)
AVAILABILITY_REQUEST = OpenApiExample(
    "Going away", request_only=True, value={"availability": "away"}
)
AVAILABILITY = OpenApiExample("Now away", response_only=True, value={"availability": "away"})
