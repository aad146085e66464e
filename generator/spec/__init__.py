"""Spec stage: YAML with line marks -> checked ``ProviderSpec`` objects."""
