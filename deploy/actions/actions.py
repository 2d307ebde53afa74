"""The project's own rasa_sdk actions, served by the `actions` service (rasa/rasa-sdk image). Put yours
here; the bot calls them through endpoints.yml action_endpoint."""

from rasa_sdk import Action


class ActionServerHello(Action):
    def name(self) -> str:
        return "action_server_hello"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="Hello from the action server.")
        return []
