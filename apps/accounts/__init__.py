"""Organisation data: departments, agents with skills and capacity, customers."""
