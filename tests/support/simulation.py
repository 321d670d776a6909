"""The organisation the history generator draws from in the simulation tests."""

from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory


def make_organisation(*, agents: int, capacity: int, customers: int) -> None:
    """Two departments of `agents` agents each, one category per department, `customers`."""
    for _ in range(2):
        department = DepartmentFactory()
        AgentFactory.create_batch(agents, departments=[department], capacity=capacity)
        CategoryFactory(default_department=department)
    CustomerFactory.create_batch(customers)
