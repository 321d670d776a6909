"""Factories for the organisation and for requests driven through the one door.

Sequence numbers are zero-padded: departments, categories, agents and customers are ordered by
name or username, so "Department 10" sorting before "Department 9" made the order (and every
history generated from it with a fixed seed) depend on how many rows earlier tests had made."""

import factory
from django.contrib.auth import get_user_model

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.accounts.models import Agent, Availability, Customer, Department
from apps.tickets import services
from apps.tickets.models import Category
from apps.tickets.transition_data import transition_data


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n:06d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass-123")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n:06d}")
    code = factory.Sequence(lambda n: f"dept{n:06d}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    user = factory.SubFactory(UserFactory)
    organisation = "Acme"


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    availability = Availability.ONLINE

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.add(*extracted)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n:06d}")
    default_department = factory.SubFactory(DepartmentFactory)


def submit(customer=None, **fields):
    """A new request submitted by its customer through the door."""
    customer = customer or CustomerFactory()
    fields.setdefault("subject", "Cannot print")
    return services.do_submit_request(
        actor=actor_for_user(customer.user), customer=customer, **fields
    )


def drive(request, *steps, actor=SYSTEM):
    """Run transitions in order; each step is a name or (name, data, actor)."""
    for step in steps:
        name, data, who = (step, {}, actor) if isinstance(step, str) else step
        request = services.transition(request, name, actor=who, data=transition_data(name, data))
    return request
