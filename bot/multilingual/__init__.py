"""One bot, users in several languages: detection, translate-in before the NLU, translate-out of replies.
The settings (config.yml `languages:`, `language_detection:`) are read by bot/languages.py.

    detection.py     which language a message is in (lingua, restricted to the configured languages)
    switch.py        "can we speak German?", "auf Englisch bitte"
    translate.py     the NMT engine behind a cache; templates translated with their {slots} kept
    alignment.py     entities of the translation located in the original through the attention
    conversation.py  Multilingual: what the agent calls before the NLU and when it renders replies
    setup.py         built once at start-up from the settings and the loaded translation models
"""
