"""Actions served by a real rasa_sdk action server in the tests (written to a temp dir as `test_actions.py`).

The restaurant form's validation follows formbot's idea, in our own words: a cuisine must be one we
know, a party size a positive whole number, and "outside"/"inside" become true/false.
"""

import time

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import SlotSet

KNOWN_CUISINES = ("chinese", "greek", "indian", "italian", "mexican", "thai", "french")


class ValidateRestaurantForm(FormValidationAction):
    def name(self):
        return "validate_restaurant_form"

    def validate_cuisine(self, value, dispatcher, tracker, domain):
        if isinstance(value, str) and value.lower() in KNOWN_CUISINES:
            return {"cuisine": value.lower()}
        dispatcher.utter_message(response="utter_wrong_cuisine")
        return {"cuisine": None}

    def validate_num_people(self, value, dispatcher, tracker, domain):
        try:
            number = int(float(value))
        except (TypeError, ValueError):
            number = 0
        if number > 0:
            return {"num_people": number}
        dispatcher.utter_message(response="utter_wrong_num_people")
        return {"num_people": None}

    def validate_outdoor_seating(self, value, dispatcher, tracker, domain):
        if isinstance(value, bool):
            return {"outdoor_seating": value}
        text = str(value).lower()
        if "out" in text:
            return {"outdoor_seating": True}
        if "in" in text:
            return {"outdoor_seating": False}
        dispatcher.utter_message(response="utter_wrong_outdoor_seating")
        return {"outdoor_seating": None}


class ActionHello(Action):
    def name(self):
        return "action_hello"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=f"Hello {tracker.sender_id}, this came from the action server.")
        return [SlotSet("greeted", True)]


class ActionSlow(Action):
    def name(self):
        return "action_slow"

    def run(self, dispatcher, tracker, domain):
        time.sleep(3)
        dispatcher.utter_message(text="too late")
        return [SlotSet("greeted", True)]
