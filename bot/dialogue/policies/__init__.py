"""Dialogue policies: each predicts the next action; the ensemble picks by confidence, then priority."""
