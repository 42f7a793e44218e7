"""Writes of the LTI app, one module per flow: registration, launch, deep linking, grades."""
