"""What to poll on each kind of device: our four roles, and third-party profiles (data)."""
