"""Jobs on a Redis-backed queue (RQ): reminders now, long model-backed work later; run by `parley worker`.

Every key of the queue (RQ's, and Parley's reminder index) starts with the `{parley-jobs}` hash tag, so
on a Redis Cluster the whole queue lives in one slot (RQ's scripts and transactions touch many of its
keys at once). RQ reads its prefix from RQ_KEY_PREFIX when it is imported: set here, before any import.
"""

import os

JOBS_TAG = "{parley-jobs}"
os.environ.setdefault("RQ_KEY_PREFIX", f"{JOBS_TAG}rq")
