"""The OpenAPI schema stating what the code enforces on input, beyond what drf-spectacular
reads from the serializers and filters: unknown body fields are refused (apps/api/
strict_input.py), `If-Match` takes an ETag of ours, an empty optional query parameter is the
same as one left out (django-filter's and the pagination's rule), and a form body has no null
(leave the field out)."""

import copy

REF = "#/components/schemas/"
# An ETag of ours: a request's version in quotes, weak or not (the code reads the version).
IF_MATCH_PATTERN = r'^(?:W/)?"([0-9]{1,18})"$'
# The writes that take `If-Match` (the request's ETag) in place of a `version` in the body.
IF_MATCH_OPERATIONS = (
    ("/api/v1/requests/{ref}/transitions/{name}/", "post"),
    ("/api/v1/requests/{ref}/merge/", "post"),
    ("/api/v1/requests/{ref}/macros/{id}/apply/", "post"),
)
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
    "description": "The request's ETag as you read it; if it changed since, the answer is 412 "
    "and nothing is done.",
}
PRECONDITION_FAILED = {
    "description": "The request changed since the ETag sent in If-Match.",
    "content": {"application/json": {"schema": {"$ref": f"{REF}Error"}}},
}
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def state_input_rules(result, generator, request, public):
    """drf-spectacular postprocessing hook: `additionalProperties: false` on every object a
    request body takes (nested ones too, each an input serializer refusing unknown fields), and
    `allowEmptyValue` on every query parameter."""
    components = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                _close(media.get("schema", {}), components, seen)
                if media_type in FORMS:
                    media["schema"] = _without_null(media.get("schema", {}), components)
            for parameter in operation.get("parameters", []):
                if _empty_is_not_given(parameter):
                    parameter["allowEmptyValue"] = True
    for path, method in IF_MATCH_OPERATIONS:
        operation = result.get("paths", {}).get(path, {}).get(method)
        if operation is not None:
            operation.setdefault("parameters", []).append(dict(IF_MATCH))
            operation["responses"].setdefault("412", PRECONDITION_FAILED)
    return result


def _empty_is_not_given(parameter: dict) -> bool:
    """An optional single-valued query parameter: `?name=` reads as not given. A list (`state=`)
    is a list of choices, and an empty one is not a choice."""
    if parameter.get("in") != "query" or parameter.get("required"):
        return False
    return parameter.get("schema", {}).get("type") != "array"


def _without_null(schema: dict, components: dict) -> dict:
    """A form's fields as the form can send them: a form has no null, so a nullable field is
    one to leave out. A copy, inline: the JSON body keeps its component."""
    reference = schema.get("$ref", "")
    if reference.startswith(REF):
        schema = components.get(reference.removeprefix(REF), schema)
    form = copy.deepcopy(schema)
    for field in form.get("properties", {}).values():
        field.pop("nullable", None)
        # A nullable choice is `oneOf: [the choices, NullEnum]`: the choices alone.
        choices = [b for b in field.get("oneOf", []) if b.get("$ref") != f"{REF}NullEnum"]
        if "oneOf" in field:
            del field["oneOf"]
            field["allOf"] = choices
    return form


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
