"""django-prometheus' request middleware, with the HTTP method label bounded.

django-prometheus labels its latency histogram with the raw method, so a client sending made-up
methods (`BREW`, `X1`, `X2`...) would add a series per name; here every label named `method`
takes the same closed set as its other metrics (unknown methods become `<invalid method>`)."""

from typing import Any

from django_prometheus import middleware  # type: ignore[import-untyped]  # ships no types


class PrometheusBeforeMiddleware(middleware.PrometheusBeforeMiddleware):
    pass


class PrometheusAfterMiddleware(middleware.PrometheusAfterMiddleware):
    def label_metric(self, metric: Any, request: Any, response: Any = None, **labels: str) -> Any:
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)
