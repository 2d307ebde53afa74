"""Channels parse and validate a platform's request, call `Agent.handle`, and render the responses."""
