"""Memoization recalls stories; the GRU policy generalises to paths the stories never showed."""

from __future__ import annotations

DOMAIN = """
version: "3.1"
intents: [greet, mood_great, mood_unhappy, affirm, deny, goodbye]
responses:
  utter_greet: [{text: "How are you?"}]
  utter_happy: [{text: "Great!"}]
  utter_cheer_up: [{text: "Here is a kitten."}]
  utter_did_that_help: [{text: "Did that help?"}]
  utter_goodbye: [{text: "Bye"}]
  utter_default: [{text: "Sorry?"}]
"""

STORIES = """
version: "3.1"
stories:
- story: happy
  steps: [{intent: greet}, {action: utter_greet}, {intent: mood_great}, {action: utter_happy}]
- story: sad helped
  steps: [{intent: greet}, {action: utter_greet}, {intent: mood_unhappy}, {action: utter_cheer_up},
          {action: utter_did_that_help}, {intent: affirm}, {action: utter_happy}]
- story: sad not helped
  steps: [{intent: greet}, {action: utter_greet}, {intent: mood_unhappy}, {action: utter_cheer_up},
          {action: utter_did_that_help}, {intent: deny}, {action: utter_goodbye}]
"""

RULES = """
version: "3.1"
rules:
- rule: goodbye
  steps: [{intent: goodbye}, {action: utter_goodbye}]
"""


def test_memoization_replays_a_story(make_bot):
    bot = make_bot(
        DOMAIN,
        {"stories.yml": STORIES, "rules.yml": RULES},
        policies=[{"name": "MemoizationPolicy"}, {"name": "RulePolicy"}],
    )
    assert bot.say("/greet") == ["How are you?"]
    assert bot.say("/mood_unhappy") == ["Here is a kitten.", "Did that help?"]
    assert bot.say("/deny") == ["Bye"]
    policies = [e.policy for e in bot.agent.tracker("u").events if getattr(e, "policy", None)]
    assert "MemoizationPolicy" in policies


def test_exact_memoization_does_not_know_an_unseen_opening(make_bot):
    bot = make_bot(
        DOMAIN,
        {"stories.yml": STORIES, "rules.yml": RULES},
        policies=[{"name": "MemoizationPolicy"}, {"name": "RulePolicy"}],
    )
    assert bot.say("/mood_unhappy") == ["Sorry?"]  # no story starts like this


def test_ted_generalises_to_an_unseen_opening(make_bot):
    policies = [
        {"name": "MemoizationPolicy"},
        {"name": "RulePolicy"},
        {"name": "TEDPolicy", "epochs": 60, "max_history": 3},
    ]
    bot = make_bot(DOMAIN, {"stories.yml": STORIES, "rules.yml": RULES}, policies=policies)
    assert bot.outcome.summary["ted_train_accuracy"] >= 0.9
    # No story starts without a greeting; the trained policy answers from the features it learnt.
    assert bot.say("/mood_unhappy") == ["Here is a kitten.", "Did that help?"]
    assert bot.say("/affirm") == ["Great!"]
    used = {e.policy for e in bot.agent.tracker("u").events if getattr(e, "policy", None)}
    assert "TEDPolicy" in used
    # Saved and loaded, it predicts the same.
    from bot.dialogue.model import DialogueModel

    again = DialogueModel.load(bot.root / "models")
    tracker = bot.agent.tracker("u")
    assert again.predict(tracker, bot.domain).action == bot.model.predict(tracker, bot.domain).action


def test_augmented_memoization_recalls_after_a_detour(make_bot):
    bot = make_bot(
        DOMAIN,
        {"stories.yml": STORIES, "rules.yml": RULES},
        policies=[{"name": "AugmentedMemoizationPolicy", "max_history": 3}, {"name": "RulePolicy"}],
    )
    assert bot.say("/goodbye") == ["Bye"]
    assert bot.say("/mood_unhappy") == ["Here is a kitten.", "Did that help?"]
