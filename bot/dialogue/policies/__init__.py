"""Dialogue policies: each predicts the next action from the tracker; the ensemble picks by confidence and priority."""
