"""Durable executions: the executor that advances stored executions, and what it needs."""
