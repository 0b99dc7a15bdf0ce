"""CLI command groups, one module each, registered from ``localize.cli``."""
