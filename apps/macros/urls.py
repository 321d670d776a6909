"""URLs of the macro API under /api/v1/."""

from django.urls import path

from apps.macros import api

urlpatterns = [
    path("macros/", api.MacroList.as_view(), name="macro-list"),
    path("requests/<str:ref>/macros/", api.RequestMacros.as_view(), name="request-macros"),
    path(
        "requests/<str:ref>/macros/<int:id>/apply/",
        api.ApplyMacro.as_view(),
        name="request-macro-apply",
    ),
]
