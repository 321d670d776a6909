"""What every API endpoint shares: the error shape, pagination, throttles, idempotent creates."""
