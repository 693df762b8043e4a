"""Rex package."""
