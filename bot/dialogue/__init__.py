"""Dialogue: events, the tracker derived from them, the domain, and the policies that pick actions."""
