"""Where conversations and their locks live: Redis (real) or memory (unit tests of logic only)."""
