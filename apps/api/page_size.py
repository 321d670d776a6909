"""The page size a list call asks for, held to what the schema says (an integer): DRF's
pagination reads `page_size=0.5` or `page_size=true` as not given and answers the default
page, so a typo looked accepted."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from apps.api import pagination


class Pagination(pagination.Pagination):
    """The API's pagination (apps/api/pagination.py), refusing a page size that is not an
    integer; an integer out of range still gets the default (below 1) or the maximum."""

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value and not re.fullmatch(r"-?[0-9]+", value):
            raise ValidationError({self.page_size_query_param: [_("A whole number.")]})
        return super().get_page_size(request)
