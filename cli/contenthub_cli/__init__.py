"""`contenthub`: the operator CLI. Every number it shows comes from the service's API."""
