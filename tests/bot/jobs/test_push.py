"""Where a worker's replies go: the channel the user last wrote from, when it can take pushes."""

from __future__ import annotations

from bot.channels.callback import CallbackInput, CallbackOutput, CallbackSettings
from bot.channels.rest import RestInput
from bot.dialogue.events import UserUttered
from bot.jobs.tasks import push_output


def test_a_callback_conversation_gets_the_reminder_posted_a_rest_one_reads_the_tracker():
    channels = [RestInput(RestInput.Settings()), CallbackInput(CallbackSettings(url="http://127.0.0.1:9/bot"))]
    via_callback = [UserUttered(text="hi", input_channel="callback")]
    output = push_output(channels, "u", via_callback)
    assert isinstance(output, CallbackOutput) and output.url == "http://127.0.0.1:9/bot"
    assert push_output(channels, "u", [UserUttered(text="hi", input_channel="rest")]) is None
    # an external (reminder) message is not where the user is
    external = [*via_callback, UserUttered(text="x", input_channel="rest", metadata={"is_external": True})]
    assert isinstance(push_output(channels, "u", external), CallbackOutput)
    assert push_output(channels, "u", []) is None
