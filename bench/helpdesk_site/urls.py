"""django-helpdesk's URLs, its REST API under /helpdesk/api/."""

from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
