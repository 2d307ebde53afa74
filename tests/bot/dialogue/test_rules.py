"""RulePolicy: rules, conditions, conversation_start, wait_for_user_input, the core fallback."""

from __future__ import annotations

DOMAIN = """
version: "3.1"
intents: [greet, faq, affirm, deny, bye]
slots:
  detailed:
    type: bool
    mappings: [{type: from_intent, intent: affirm, value: true, conditions: [{active_loop: null}]}]
responses:
  utter_welcome: [{text: "Welcome!"}]
  utter_greet_again: [{text: "Hello again."}]
  utter_faq: [{text: "Short answer."}]
  utter_faq_detail: [{text: "Long answer."}]
  utter_did_help: [{text: "Did that help?"}]
  utter_great: [{text: "Great."}]
  utter_bye: [{text: "Bye."}]
  utter_default: [{text: "Sorry?"}]
"""

RULES = """
version: "3.1"
rules:
- rule: first greeting of a session
  conversation_start: true
  steps: [{intent: greet}, {action: utter_welcome}]
- rule: later greetings
  steps: [{intent: greet}, {action: utter_greet_again}]
- rule: short faq
  condition: [{slot_was_set: [{detailed: false}]}]
  steps: [{intent: faq}, {action: utter_faq}]
- rule: detailed faq asks whether it helped, without waiting
  condition: [{slot_was_set: [{detailed: true}]}]
  steps: [{intent: faq}, {action: utter_faq_detail}]
  wait_for_user_input: false
- rule: after the detailed answer, ask
  steps: [{action: utter_faq_detail}, {action: utter_did_help}]
- rule: it helped
  steps: [{action: utter_did_help}, {intent: affirm}, {action: utter_great}]
- rule: bye
  steps: [{intent: bye}, {action: utter_bye}]
"""


def test_conversation_start_rule_only_opens_a_session(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    assert bot.say("/greet") == ["Welcome!"]
    assert bot.say("/greet") == ["Hello again."]


def test_slot_conditions_and_wait_for_user_input_false(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    bot.agent.append_events("u", [])
    from bot.dialogue.events import SlotSet

    bot.say("/bye")
    bot.agent.append_events("u", [SlotSet(name="detailed", value=False)])
    assert bot.say("/faq") == ["Short answer."]
    bot.agent.append_events("u", [SlotSet(name="detailed", value=True)])
    # No listen after the detailed answer: the next rule asks at once.
    assert bot.say("/faq") == ["Long answer.", "Did that help?"]
    assert bot.say("/affirm") == ["Great."]


def test_no_rule_gives_the_core_fallback_and_forgets_the_turn(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    bot.say("/bye")
    assert bot.say("/affirm") == ["Sorry?"]
    tracker = bot.agent.tracker("u")
    # The unclear message is rewound: the conversation state is as before it.
    assert tracker.latest_message.intent_name == "bye"
    assert bot.actions()[-1] == "utter_bye"


def test_training_data_errors_name_file_and_line(make_bot, tmp_path):
    import pytest

    from bot.errors import ConfigError

    bad = RULES.replace("{action: utter_bye}", "{action: utter_nonexistent}")
    with pytest.raises(ConfigError) as err:
        make_bot(DOMAIN, {"rules.yml": bad})
    assert "rules.yml:" in str(err.value) and "utter_nonexistent" in str(err.value)
    file, line = str(err.value.path).rsplit(":", 1)
    assert "utter_nonexistent" in open(file).read().splitlines()[int(line) - 1]
    with pytest.raises(ConfigError, match="intent 'nope'"):
        make_bot(DOMAIN, {"rules.yml": RULES.replace("intent: bye", "intent: nope")})


def test_unknown_policy_option_fails_naming_the_key(make_bot):
    import pytest

    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match=r"policies\[0\].max_hsitory"):
        make_bot(DOMAIN, {"rules.yml": RULES}, policies=[{"name": "MemoizationPolicy", "max_hsitory": 3}])
    with pytest.raises(ConfigError, match="unknown policy 'FallbackPolicy'"):
        make_bot(DOMAIN, {"rules.yml": RULES}, policies=[{"name": "FallbackPolicy"}])


def test_max_predictions_per_turn(make_bot):
    domain = DOMAIN
    rules = """
version: "3.1"
rules:
- rule: loops forever
  steps: [{intent: greet}, {action: utter_welcome}, {action: utter_greet_again}]
  wait_for_user_input: false
- rule: and back
  steps: [{action: utter_greet_again}, {action: utter_welcome}]
  wait_for_user_input: false
- rule: and again
  steps: [{action: utter_welcome}, {action: utter_greet_again}]
  wait_for_user_input: false
"""
    bot = make_bot(domain, {"rules.yml": rules}, max_predictions=4)
    assert len(bot.say("/greet")) == 4  # stopped at the limit, then listens
    assert bot.agent.tracker("u").latest_action_name == "action_listen"
