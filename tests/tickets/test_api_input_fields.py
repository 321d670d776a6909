"""Input serializers are plain DRF serializers: every instance gets fields of its own (DRF's deep
copy of the declared fields), nested children too, and validates against the rows in the
database now. (Until issue 17 they rebuilt their fields from the declared arguments,
apps/api/fields_rebuilt.py; these tests held for both.)"""

import pytest
from rest_framework import serializers

from apps.tickets.api.inputs import (
    FeedbackSerializer,
    MessageCreateSerializer,
    RequestCreateSerializer,
    TransitionSerializer,
)
from apps.tickets.api.serializers import AttachmentSerializer
from apps.tickets.models import Category
from tests.factories import CategoryFactory, CustomerFactory

INPUT = [
    AttachmentSerializer,
    RequestCreateSerializer,
    MessageCreateSerializer,
    TransitionSerializer,
    FeedbackSerializer,
]


class _Line(serializers.Serializer):
    name = serializers.CharField()

    def validate_name(self, value: str) -> str:
        return f"{self.context['prefix']}{value}"


class _Order(serializers.Serializer):
    lines = _Line(many=True)
    tags = serializers.ListField(child=serializers.CharField(), default=[])


def _fields_of(serializer) -> list:
    """Every field object under `serializer`: its fields, list children, nested fields."""
    found = []
    for field in serializer.fields.values():
        found.append(field)
        child = getattr(field, "child", None)
        if child is not None:
            found.append(child)
            if isinstance(child, serializers.Serializer):
                found.extend(_fields_of(child))
    return found


@pytest.mark.parametrize("cls", INPUT, ids=lambda cls: cls.__name__)
def test_two_instances_share_no_field_object(cls):
    first, second = cls(data={}), cls(data={})
    ours, theirs = _fields_of(first), _fields_of(second)
    declared = list(cls._declared_fields.values())
    declared += [f.child for f in declared if getattr(f, "child", None) is not None]
    assert len(ours) == len(theirs) >= len(cls._declared_fields)
    assert not {id(f) for f in ours} & {id(f) for f in theirs}
    assert not {id(f) for f in ours} & {id(f) for f in declared}
    assert all(field.parent is first for field in first.fields.values())


def test_nested_children_are_bound_to_their_own_parent():
    first, second = RequestCreateSerializer(data={}), RequestCreateSerializer(data={})
    for serializer in (first, second):
        attachments = serializer.fields["attachments"]
        assert attachments.child.parent is attachments
        assert attachments.child.fields["name"].parent is attachments.child
        assert attachments.child.fields["name"].root is serializer
    assert first.fields["attachments"].child is not second.fields["attachments"].child


def test_a_list_child_reads_the_context_of_its_own_root():
    first = _Order(data={"lines": [{"name": "x"}]}, context={"prefix": "first:"})
    second = _Order(data={"lines": [{"name": "x"}]}, context={"prefix": "second:"})
    assert first.fields and second.fields  # both bound before either validates
    assert first.is_valid() and second.is_valid()
    assert first.validated_data["lines"] == [{"name": "first:x"}]
    assert second.validated_data["lines"] == [{"name": "second:x"}]


def test_a_mutable_default_is_copied_per_instance():
    first, second = _Order(data={"lines": []}), _Order(data={"lines": []})
    assert first.is_valid() and second.is_valid()
    first.validated_data["tags"].append("leaked")
    assert second.validated_data["tags"] == []
    assert _Order._declared_fields["tags"].default == []
    assert first.fields["tags"].child is not second.fields["tags"].child


def test_fields_edited_on_one_instance_leave_the_others_alone():
    edited = RequestCreateSerializer(data={"subject": ""})
    edited.fields["subject"].error_messages["blank"] = "Say something."
    edited.fields["subject"].validators.append(lambda value: None)
    edited.fields["attachments"].child.fields["name"].error_messages["max_length"] = "Long."
    assert not edited.is_valid()
    assert edited.errors["subject"] == ["Say something."]

    other = RequestCreateSerializer(data={"subject": "", "attachments": [{"name": "x" * 256}]})
    assert not other.is_valid()
    assert other.errors["subject"] == ["This field may not be blank."]
    assert other.errors["attachments"] == {
        0: {
            "name": ["Ensure this field has no more than 255 characters."],
            "size": ["This field is required."],
        }
    }
    assert len(other.fields["subject"].validators) == len(edited.fields["subject"].validators) - 1


# --- against the database ----------------------------------------------------------------------


def _outcome(cls, data) -> tuple:
    serializer = cls(data=data)
    if serializer.is_valid():
        return True, dict(serializer.validated_data)
    return False, serializer.errors


def _bodies(active, inactive, customer) -> list[tuple[type, dict]]:
    ok = {"subject": "Printer on fire"}
    return [
        (RequestCreateSerializer, ok),
        (
            RequestCreateSerializer,
            {
                **ok,
                "description": "Third floor.",
                "category": active.pk,
                "customer": customer.pk,
                "impact": "high",
                "attachments": [{"name": "../a.png", "size": 10}, {"name": "b", "size": 0}],
            },
        ),
        (RequestCreateSerializer, {}),
        (RequestCreateSerializer, {**ok, "category": 10**9}),
        (RequestCreateSerializer, {**ok, "category": inactive.pk}),
        (RequestCreateSerializer, {**ok, "category": "seven"}),
        (RequestCreateSerializer, {**ok, "customer": 10**9}),
        (RequestCreateSerializer, {**ok, "impact": "enormous", "subject": "x" * 201}),
        (RequestCreateSerializer, {**ok, "attachments": "a.png"}),
        (RequestCreateSerializer, {**ok, "attachments": [{"name": "..", "size": -1}, "a.png"]}),
        (RequestCreateSerializer, {**ok, "attachments": [{"name": "a", "size": 1}] * 21}),
        (MessageCreateSerializer, {"body": "Thanks", "internal": "yes"}),
        (MessageCreateSerializer, {"body": "", "internal": "perhaps"}),
        (TransitionSerializer, {"reason": "Because", "version": 3, "priority": 2}),
        (TransitionSerializer, {"version": 0, "department": 2**63, "priority": "urgent"}),
        (FeedbackSerializer, {"rating": 5, "comment": "Quick."}),
        (FeedbackSerializer, {"rating": 6, "created_at": "now"}),
    ]


@pytest.mark.django_db
def test_validation_outcomes():
    active, inactive = CategoryFactory(), CategoryFactory(is_active=False)
    bodies = _bodies(active, inactive, CustomerFactory())
    outcomes = [_outcome(cls, data) for cls, data in bodies]
    # A second set of instances validates alike: nothing leaks from one instance to the next.
    assert outcomes == [_outcome(cls, data) for cls, data in bodies]

    valid = [outcome for (ok, outcome) in outcomes if ok]
    assert valid[1]["category"] == active and valid[1]["attachments"][0]["name"] == "a.png"
    errors = [outcome for (ok, outcome) in outcomes if not ok]
    assert errors[1]["category"][0].code == "does_not_exist"
    assert errors[2]["category"][0].code == "does_not_exist"
    assert errors[4]["customer"][0].code == "does_not_exist"
    assert errors[7]["attachments"] == {
        0: {
            "name": ["A file name is required."],
            "size": ["Ensure this value is greater than or equal to 0."],
        },
        1: {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
    }
    assert errors[8]["attachments"]["non_field_errors"][0].code == "max_length"


@pytest.mark.django_db
def test_one_instance_errors_do_not_reach_another():
    good = {"subject": "Printer", "attachments": [{"name": "a.png", "size": 1}]}
    bad = {"subject": "Printer", "attachments": [{"name": "", "size": "big"}]}
    failing, passing = RequestCreateSerializer(data=bad), RequestCreateSerializer(data=good)
    assert failing.fields and passing.fields
    assert not failing.is_valid()
    assert passing.is_valid(), passing.errors
    assert passing.validated_data["attachments"] == [
        {"name": "a.png", "size": 1, "content_type": ""}
    ]
    assert set(failing.errors["attachments"]) == {0}
    assert set(failing.errors["attachments"][0]) == {"name", "size"}
    assert not RequestCreateSerializer(data=bad).is_valid()


@pytest.mark.django_db
def test_querysets_see_rows_made_after_the_class_was_built():
    declared = RequestCreateSerializer._declared_fields["category"].queryset
    assert RequestCreateSerializer(data={}).fields
    list(declared)  # even a base queryset whose cache is filled is only a builder
    category, customer = CategoryFactory(), CustomerFactory()

    serializer = RequestCreateSerializer(
        data={"subject": "New", "category": category.pk, "customer": customer.pk}
    )
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["category"] == category
    assert serializer.validated_data["customer"] == customer

    Category.objects.filter(pk=category.pk).update(is_active=False)
    later = RequestCreateSerializer(data={"subject": "New", "category": category.pk})
    assert not later.is_valid()
    assert later.errors["category"][0].code == "does_not_exist"
