"""When a conversation starts a new session, as Rasa's `session_config` in domain.yml says.

`rollover_reason(events, config, now, max_events)` looks at the latest session's events:

    "expired"   the user's last message (as Rasa; the last event while the session has none) is more
                than `session_expiration_time` minutes old (0 = sessions never expire)
    "too_long"  the session holds half the tracker store's `max_events`: starting a new one lets the
                store archive the older sessions, so it never has to refuse a user's message
    None        the session goes on

The new session itself is `action_session_start` (bot/dialogue/builtin_actions.py): session_started,
the slots carried over when `carry_over_slots_to_new_session`, action_listen.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogue.domain_sections import SessionConfig
from bot.dialogue.events import Event, UserUttered


def rollover_reason(
    events: Sequence[Event], config: SessionConfig, now: float, max_events: int
) -> str | None:
    if max_events and len(events) >= max_events // 2:
        return "too_long"
    minutes = config.session_expiration_time
    if minutes <= 0 or not events:
        return None
    last = next((e for e in reversed(events) if isinstance(e, UserUttered)), events[-1])
    return "expired" if now - last.timestamp > minutes * 60 else None
