"""Slot mappings fill slots after each user message."""

from __future__ import annotations

DOMAIN = """
version: "3.1"
intents:
  - book:
      use_entities: [city]
  - inform
  - affirm
  - deny
  - chitchat
entities:
  - city:
      roles: [departure, destination]
  - topping:
      groups: ["1", "2"]
  - number
slots:
  origin:
    type: text
    mappings: [{type: from_entity, entity: city, role: departure}]
  destination:
    type: text
    mappings: [{type: from_entity, entity: city, role: destination}]
  first_pizza:
    type: list
    mappings: [{type: from_entity, entity: topping, group: "1"}]
  note:
    type: text
    mappings:
    - type: from_text
      not_intent: [deny]
      conditions: [{active_loop: note_form, requested_slot: note}]
  agreed:
    type: bool
    mappings:
    - {type: from_intent, intent: affirm, value: true}
    - {type: from_intent, intent: deny, value: false}
  seats:
    type: float
    mappings: [{type: from_entity, entity: number}]
responses:
  utter_ask_note: [{text: "Any note?"}]
  utter_ask_seats: [{text: "How many seats?"}]
  utter_done: [{text: "Done: {note}."}]
  utter_ok: [{text: "ok"}]
forms:
  note_form:
    ignored_intents: [chitchat]
    required_slots: [seats, note]
"""

RULES = """
version: "3.1"
rules:
- rule: book
  steps: [{intent: book}, {action: note_form}, {active_loop: note_form}]
- rule: done
  condition: [{active_loop: note_form}]
  steps: [{action: note_form}, {active_loop: null}, {action: utter_done}]
- rule: inform
  steps: [{intent: inform}, {action: utter_ok}]
- rule: affirm
  steps: [{intent: affirm}, {action: utter_ok}]
- rule: chitchat
  steps: [{intent: chitchat}, {action: utter_ok}]
"""


def _user(bot, parse_data: dict, sender: str = "u") -> list:
    from bot.agent import UserMessage

    return bot.agent.handle(
        UserMessage(text=parse_data.get("text", ""), sender_id=sender, parse_data=parse_data)
    )


def test_entity_roles_and_groups_fill_their_own_slots(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    _user(
        bot,
        {
            "text": "from Berlin to Rome",
            "intent": {"name": "inform", "confidence": 1.0},
            "entities": [
                {"entity": "city", "value": "Berlin", "role": "departure"},
                {"entity": "city", "value": "Rome", "role": "destination"},
                {"entity": "topping", "value": "ham", "group": "1"},
                {"entity": "topping", "value": "olives", "group": "1"},
                {"entity": "topping", "value": "cheese", "group": "2"},
            ],
        },
    )
    slots = bot.agent.tracker("u").slots
    assert (slots["origin"], slots["destination"]) == ("Berlin", "Rome")
    assert slots["first_pizza"] == ["ham", "olives"]


def test_from_intent_sets_a_value(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    bot.say("/affirm")
    assert bot.agent.tracker("u").slots["agreed"] is True


def test_from_text_only_when_its_conditions_hold(make_bot):
    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    _user(bot, {"text": "nothing special", "intent": {"name": "inform", "confidence": 1.0}, "entities": []})
    assert bot.agent.tracker("u").slots["note"] is None  # no form asked for it
    assert bot.say("/book") == ["How many seats?"]
    assert bot.say('/inform{"number": 2}') == ["Any note?"]
    # While the form asks for `note`, a chitchat message (an ignored intent) fills nothing ...
    assert (
        _user(
            bot, {"text": "nice weather", "intent": {"name": "chitchat", "confidence": 1.0}, "entities": []}
        )[0]["text"]
        == "ok"
    )
    assert bot.agent.tracker("u").slots["note"] is None
    # ... and the text of an inform does.
    replies = _user(
        bot, {"text": "window seat please", "intent": {"name": "inform", "confidence": 1.0}, "entities": []}
    )
    assert [r["text"] for r in replies] == ["Done: window seat please."]


def test_use_entities_limits_what_the_policies_see(make_bot):
    from bot.dialogue.events import UserUttered
    from bot.dialogue.states import user_features

    bot = make_bot(DOMAIN, {"rules.yml": RULES})
    event = UserUttered(
        text="x",
        parse_data={
            "intent": {"name": "book"},
            "entities": [{"entity": "city", "value": "Rome"}, {"entity": "number", "value": 3}],
        },
    )
    assert user_features(event, bot.domain) == {"intent=book", "entity=city"}


def test_custom_mapping_actions_fill_slots_after_each_message(make_bot):
    from actions.sdk import Action, SlotSet

    class ShoutName(Action):
        def name(self):
            return "action_validate_slot_mappings"

        def run(self, dispatcher, tracker, domain):
            text = tracker.latest_text()
            if tracker.get_intent_of_latest_message() == "inform" and text:
                return [SlotSet("note", text.upper())]
            return []

    bot = make_bot(DOMAIN, {"rules.yml": RULES}, extra_actions={"action_validate_slot_mappings": ShoutName})
    _user(bot, {"text": "quiet please", "intent": {"name": "inform", "confidence": 1.0}, "entities": []})
    assert bot.agent.tracker("u").slots["note"] == "QUIET PLEASE"
