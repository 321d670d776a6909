"""Personal data: a customer's export, their erasure, and the retention of closed requests."""
