"""URLs of the simulation API under /api/v1/simulation/: scenarios and PDCA cycles."""

from django.urls import path

from apps.simulation.api import cycle_views, views

urlpatterns = [
    path("simulation/scenarios/", views.ScenarioListCreate.as_view(), name="scenario-list"),
    path("simulation/scenarios/<int:pk>/", views.ScenarioDetail.as_view(), name="scenario-detail"),
    path("simulation/cycles/", cycle_views.CycleListCreate.as_view(), name="cycle-list"),
    path("simulation/cycles/<int:pk>/", cycle_views.CycleDetail.as_view(), name="cycle-detail"),
    path(
        "simulation/cycles/<int:pk>/change/",
        cycle_views.CycleChange.as_view(),
        name="cycle-change",
    ),
    path("simulation/cycles/<int:pk>/check/", cycle_views.CycleCheck.as_view(), name="cycle-check"),
    path(
        "simulation/cycles/<int:pk>/decision/",
        cycle_views.CycleDecision.as_view(),
        name="cycle-decision",
    ),
]
