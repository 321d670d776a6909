"""URLs of the improvement API under /api/v1/improvement/."""

from django.urls import path

from apps.improvement.api import views

urlpatterns = [
    path("improvement/forecasts/", views.ForecastList.as_view(), name="improvement-forecasts"),
    path("improvement/eta-model/", views.EtaModelView.as_view(), name="improvement-eta-model"),
    path("improvement/staffing/", views.Staffing.as_view(), name="improvement-staffing"),
    path("improvement/problems/", views.ProblemListCreate.as_view(), name="problem-list"),
    path("improvement/problems/<int:pk>/", views.ProblemDetail.as_view(), name="problem-detail"),
    path(
        "improvement/problems/<int:pk>/transitions/<str:name>/",
        views.ProblemTransition.as_view(),
        name="problem-transition",
    ),
]
