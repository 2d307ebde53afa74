"""HTTP surfaces other than channels: conversations, health, parse, translate. One blueprint per module."""
