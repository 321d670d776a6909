"""The ceiling's three endpoints."""

from django.urls import path

from bench.ceiling.views import TicketDetail, TicketListCreate

urlpatterns = [
    path("tickets/", TicketListCreate.as_view()),
    path("tickets/<int:pk>/", TicketDetail.as_view()),
]
