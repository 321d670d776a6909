"""Automation run by Celery workers: routing, sweeps, and (later) chatbot, SLA and handoffs."""
