"""Offline checks of the deployment: rendering, schemas, rules and secrets."""
