"""Examples for the sign-in and `me/` endpoints in the OpenAPI schema."""

from drf_spectacular.utils import OpenApiExample

TOKEN_REQUEST = OpenApiExample(
    "Sign in", request_only=True, value={"username": "carol", "password": "demo-pass-2026"}
)
TOKEN = OpenApiExample(
    "A token",
    response_only=True,
    value={
        "token": "3f0c2b7e9a4d6c1e8b5a2f7d0c9e4b1a6d3f8c2e7b0a5d9c4e1f6b3a8d2c7e0b",
        "expiry": "2026-12-11T09:30:00+01:00",
    },
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
