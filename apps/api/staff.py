"""What the staff-only report endpoints (analytics, quality) share: the permission and the
parsing of query parameters through an input serializer."""

from rest_framework.views import APIView

from apps.api.permissions import IsStaff


class StaffView(APIView):
    """Staff (agents, leads, administrators) only: the figures cover every department."""

    permission_classes = [IsStaff]


def parse_query(serializer_class, request):
    """The request's query parameters checked by `serializer_class` (400 with the field
    errors when they are wrong); the bound serializer, for its validated data and helpers."""
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params
