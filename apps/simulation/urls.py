"""URLs of the simulation API under /api/v1/simulation/."""

from django.urls import path

from apps.simulation.api import views

urlpatterns = [
    path("simulation/scenarios/", views.ScenarioListCreate.as_view(), name="scenario-list"),
    path("simulation/scenarios/<int:pk>/", views.ScenarioDetail.as_view(), name="scenario-detail"),
]
