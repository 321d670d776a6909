"""The OpenAPI schema stating what the code enforces on input, beyond what drf-spectacular
reads from the serializers and filters: unknown body fields are refused (apps/api/
strict_input.py), and an empty query parameter is the same as one left out (django-filter's and
the pagination's rule)."""

REF = "#/components/schemas/"


def state_input_rules(result, generator, request, public):
    """drf-spectacular postprocessing hook: `additionalProperties: false` on every object a
    request body takes (nested ones too, each an input serializer refusing unknown fields), and
    `allowEmptyValue` on every query parameter."""
    components = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _close(media.get("schema", {}), components, seen)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result


def _close(schema: dict, components: dict, seen: set[str]) -> None:
    """Refuse unknown properties in `schema` and every object schema it holds. A map (an
    object whose `additionalProperties` is a schema, such as the notification preferences)
    keeps its own rule."""
    reference = schema.get("$ref", "")
    if reference.startswith(REF):
        name = reference.removeprefix(REF)
        if name in seen or name not in components:
            return
        seen.add(name)
        schema = components[name]
    if "properties" in schema:
        schema.setdefault("additionalProperties", False)
        for child in schema["properties"].values():
            _close(child, components, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _close(schema[key], components, seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key, []):
            _close(branch, components, seen)
