"""RulePolicy as Rasa decides: the most specific matching rule wins (Rasa keeps the longest matching
rule key, so more conditions beat more turns), and `deny` inside an active form goes to the form first,
then, when the form rejects it, to the rule written for it."""

from __future__ import annotations

DOMAIN = """
version: "3.1"
intents: [greet, inform, deny, affirm, request_table]
entities: [number]
slots:
  people:
    type: float
    influence_conversation: false
    mappings:
    - {type: from_entity, entity: number, conditions: [{active_loop: table_form, requested_slot: people}]}
  outside:
    type: bool
    influence_conversation: false
    mappings:
    - type: from_intent
      intent: affirm
      value: true
      conditions: [{active_loop: table_form, requested_slot: outside}]
    - type: from_intent
      intent: deny
      value: false
      conditions: [{active_loop: table_form, requested_slot: outside}]
forms:
  table_form:
    required_slots: [people, outside]
responses:
  utter_greet: [{text: "Hi!"}]
  utter_ask_people: [{text: "How many?"}]
  utter_ask_outside: [{text: "Outside?"}]
  utter_generic_inform: [{text: "Noted."}]
  utter_number_in_form: [{text: "A number, in the form."}]
  utter_ask_continue: [{text: "Stop booking?"}]
  utter_booked: [{text: "Booked."}]
  utter_default: [{text: "Sorry?"}]
"""

RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: an inform after the greeting (two turns, few conditions)
  steps: [{action: utter_greet}, {intent: inform}, {action: utter_generic_inform}]
- rule: an inform with a number while the form runs (one turn, more conditions)
  condition: [{active_loop: table_form}]
  steps: [{intent: inform, entities: [number]}, {action: utter_number_in_form}]
- rule: start the form
  steps: [{intent: request_table}, {action: table_form}, {active_loop: table_form}]
- rule: deny interrupts the form when the form does not take it
  condition: [{active_loop: table_form}]
  steps: [{intent: deny}, {action: utter_ask_continue}]
- rule: submit
  condition: [{active_loop: table_form}]
  steps:
  - action: table_form
  - active_loop: null
  - slot_was_set: [{requested_slot: null}]
  - action: utter_booked
"""


def test_the_more_specific_rule_wins_over_the_one_with_more_turns(make_bot):
    from bot.dialogue.policies.rule import RulePolicy

    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    policy = next(p for p in bot.model.policies if isinstance(p, RulePolicy))
    by_rule = {e.rule: e for e in policy.entries if e.action != "action_listen"}
    generic = by_rule["an inform after the greeting (two turns, few conditions)"]
    specific = by_rule["an inform with a number while the form runs (one turn, more conditions)"]
    assert len(generic.states) > len(specific.states) and specific.specificity > generic.specificity


def test_deny_in_the_form_is_the_form_s_answer_when_it_fills_the_requested_slot(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    assert bot.say("/request_table") == ["How many?"]
    assert bot.say('/inform{"number": 4}') == ["Outside?"]
    assert bot.say("/deny") == ["Booked."]  # deny fills `outside` = false, as Rasa's from_intent mapping
    assert bot.agent.tracker("u").get_slot("outside") is False


def test_deny_the_form_cannot_take_goes_to_the_rule_for_it(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    assert bot.say("/request_table") == ["How many?"]
    assert bot.say("/deny") == ["Stop booking?"]  # the form rejected it; the loop + deny rule answers
    assert "table_form" in bot.actions()
