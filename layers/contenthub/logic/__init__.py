"""Business logic, one module per step of a task's life. Knows nothing of HTTP or events."""
