"""Jobs on a Redis-backed queue (RQ): reminders now, long model-backed work later; run by `parley worker`."""
