"""Deterministic English-German phrase pairs for the demo assistant's domain.

Templates with slots plus small bilingual lexicons (greetings, help, weather, meetings, travel,
shopping, small talk). German slot values carry the case each template needs. This is toy data for a
demo model that trains in minutes; a real model needs a real parallel corpus (see the README).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

CITIES = [
    ("Berlin", "Berlin"),
    ("Munich", "München"),
    ("Hamburg", "Hamburg"),
    ("Vienna", "Wien"),
    ("Zurich", "Zürich"),
    ("Cologne", "Köln"),
    ("Paris", "Paris"),
    ("London", "London"),
    ("Rome", "Rom"),
    ("Madrid", "Madrid"),
    ("Amsterdam", "Amsterdam"),
    ("Frankfurt", "Frankfurt"),
    ("Prague", "Prag"),
    ("Lisbon", "Lissabon"),
]
DAYS = [
    ("today", "heute"),
    ("tomorrow", "morgen"),
    ("on Monday", "am Montag"),
    ("on Tuesday", "am Dienstag"),
    ("on Wednesday", "am Mittwoch"),
    ("on Thursday", "am Donnerstag"),
    ("on Friday", "am Freitag"),
    ("on Saturday", "am Samstag"),
    ("on Sunday", "am Sonntag"),
    ("next week", "nächste Woche"),
]
TIMES = [
    ("at nine", "um neun"),
    ("at ten", "um zehn"),
    ("at noon", "mittags"),
    ("at two", "um zwei"),
    ("at three", "um drei"),
    ("at four", "um vier"),
    ("in the morning", "am Morgen"),
    ("in the evening", "am Abend"),
]
PEOPLE = [(n, n) for n in ("Anna", "Tom", "Maria", "Peter", "Lena", "Jonas", "Sarah", "Paul", "Laura", "Max")]
WEATHER = [
    ("sunny", "sonnig"),
    ("rainy", "regnerisch"),
    ("cold", "kalt"),
    ("warm", "warm"),
    ("windy", "windig"),
    ("cloudy", "bewölkt"),
    ("hot", "heiß"),
    ("foggy", "neblig"),
]
TRANSPORT = [
    ("by train", "mit dem Zug"),
    ("by bus", "mit dem Bus"),
    ("by plane", "mit dem Flugzeug"),
    ("by car", "mit dem Auto"),
    ("by bike", "mit dem Fahrrad"),
]
NIGHTS = [
    ("one night", "eine Nacht"),
    ("two nights", "zwei Nächte"),
    ("three nights", "drei Nächte"),
    ("a week", "eine Woche"),
]
GREETINGS = [
    ("hello", "hallo"),
    ("good morning", "guten Morgen"),
    ("good evening", "guten Abend"),
    ("hi", "hallo"),
    ("good afternoon", "guten Tag"),
]
TASKS = [
    ("my booking", "meiner Buchung"),
    ("my order", "meiner Bestellung"),
    ("my account", "meinem Konto"),
    ("the password", "dem Passwort"),
    ("the app", "der App"),
    ("my calendar", "meinem Kalender"),
    ("the invoice", "der Rechnung"),
]
# (indefinite English, German accusative indefinite, definite English, German nominative definite)
ITEMS = [
    ("a coffee", "einen Kaffee", "the coffee", "der Kaffee"),
    ("a ticket", "ein Ticket", "the ticket", "das Ticket"),
    ("a jacket", "eine Jacke", "the jacket", "die Jacke"),
    ("a book", "ein Buch", "the book", "das Buch"),
    ("an umbrella", "einen Regenschirm", "the umbrella", "der Regenschirm"),
    ("a bag", "eine Tasche", "the bag", "die Tasche"),
    ("a phone", "ein Handy", "the phone", "das Handy"),
    ("a map", "eine Karte", "the map", "die Karte"),
    ("a watch", "eine Uhr", "the watch", "die Uhr"),
    ("a hat", "einen Hut", "the hat", "der Hut"),
]
HOBBIES = [
    ("music", "Musik"),
    ("football", "Fußball"),
    ("cooking", "Kochen"),
    ("films", "Filme"),
    ("books", "Bücher"),
    ("coffee", "Kaffee"),
    ("swimming", "Schwimmen"),
]
WISHES = [
    ("day", "einen schönen Tag"),
    ("evening", "einen schönen Abend"),
    ("weekend", "ein schönes Wochenende"),
    ("trip", "eine gute Reise"),
]

SLOTS = {
    "city": CITIES,
    "day": DAYS,
    "time": TIMES,
    "person": PEOPLE,
    "adj": WEATHER,
    "transport": TRANSPORT,
    "nights": NIGHTS,
    "greet": GREETINGS,
    "task": TASKS,
    "hobby": HOBBIES,
    "wish": WISHES,
}

TEMPLATES: list[tuple[str, str]] = [
    # greetings
    ("{greet}!", "{greet}!"),
    ("{greet}, how are you?", "{greet}, wie geht es dir?"),
    ("{greet}, {person}!", "{greet}, {person}!"),
    ("nice to meet you, {person}.", "schön, dich kennenzulernen, {person}."),
    ("goodbye, {person}.", "auf Wiedersehen, {person}."),
    ("have a nice {wish}!", "{wish}!"),
    # help
    ("can you help me?", "kannst du mir helfen?"),
    ("what can you do?", "was kannst du tun?"),
    ("I need help with {task}.", "ich brauche Hilfe bei {task}."),
    ("please help me with {task}.", "bitte hilf mir bei {task}."),
    ("I have a question about {task}.", "ich habe eine Frage zu {task}."),
    # weather
    ("what is the weather like in {city} {day}?", "wie ist das Wetter {day} in {city}?"),
    ("will it be {adj} in {city} {day}?", "wird es {day} in {city} {adj} sein?"),
    ("it is {adj} in {city} {day}.", "in {city} ist es {day} {adj}."),
    ("show me the forecast for {city}.", "zeig mir die Vorhersage für {city}."),
    ("do I need an umbrella {day}?", "brauche ich {day} einen Regenschirm?"),
    ("the forecast says it will be {adj} {day}.", "laut Vorhersage wird es {day} {adj}."),
    # meetings
    ("schedule a meeting with {person} {day} {time}.", "plane ein Treffen mit {person} {day} {time}."),
    ("cancel my meeting {day}.", "sag mein Treffen {day} ab."),
    ("when is my next meeting?", "wann ist mein nächstes Treffen?"),
    ("I have a meeting {day} {time}.", "ich habe {day} {time} ein Treffen."),
    ("remind me about the meeting {time}.", "erinnere mich {time} an das Treffen."),
    ("is {person} coming to the meeting {day}?", "kommt {person} {day} zum Treffen?"),
    # travel
    ("I want to travel to {city} {transport}.", "ich möchte {transport} nach {city} reisen."),
    ("how do I get to {city}?", "wie komme ich nach {city}?"),
    ("book a hotel in {city} for {nights}.", "buche ein Hotel in {city} für {nights}."),
    ("when does the train to {city} leave?", "wann fährt der Zug nach {city} ab?"),
    ("I am flying to {city} {day}.", "ich fliege {day} nach {city}."),
    ("how long does it take to {city} {transport}?", "wie lange dauert es {transport} nach {city}?"),
    # shopping
    ("I would like to buy {item}.", "ich möchte {item} kaufen."),
    ("where can I buy {item}?", "wo kann ich {item} kaufen?"),
    ("do you have {item}?", "haben Sie {item}?"),
    ("I am looking for {item}.", "ich suche {item}."),
    ("how much does {item_def} cost?", "was kostet {item_def}?"),
    ("{item_def} is too expensive.", "{item_def} ist zu teuer."),
    # small talk
    ("what is your name?", "wie heißt du?"),
    ("my name is {person}.", "ich heiße {person}."),
    ("I live in {city}.", "ich wohne in {city}."),
    ("I am from {city}.", "ich komme aus {city}."),
    ("where are you from?", "woher kommst du?"),
    ("thank you very much!", "vielen Dank!"),
    ("I like {hobby}.", "ich mag {hobby}."),
    ("do you like {hobby}?", "magst du {hobby}?"),
    ("that sounds great.", "das klingt toll."),
    ("{person} likes {hobby}.", "{person} mag {hobby}."),
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _expand(en: str, de: str) -> list[tuple[str, str]]:
    names = sorted({n for n in SLOTS if "{" + n + "}" in en} | ({"item"} if "{item" in en else set()))
    choices = [ITEMS if n == "item" else SLOTS[n] for n in names]
    pairs = []
    for combo in itertools.product(*choices):
        e, d = en, de
        for name, value in zip(names, combo, strict=True):
            if name == "item":
                e = e.replace("{item}", value[0]).replace("{item_def}", value[2])
                d = d.replace("{item}", value[1]).replace("{item_def}", value[3])
            else:
                e, d = e.replace("{" + name + "}", value[0]), d.replace("{" + name + "}", value[1])
        pairs.append((_cap(e), _cap(d)))
    return pairs


def demo_pairs(max_per_template: int = 300, seed: int = 7) -> list[tuple[str, str]]:
    """All templates expanded, at most `max_per_template` each (sampled with a fixed seed), shuffled."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    for en, de in TEMPLATES:
        expanded = _expand(en, de)
        if len(expanded) > max_per_template:
            expanded = rng.sample(expanded, max_per_template)
        pairs.extend(expanded)
    pairs = sorted(set(pairs))
    rng.shuffle(pairs)
    return pairs


def write_demo_data(out: Path, dev: int = 150, test: int = 150, seed: int = 7) -> dict[str, int]:
    """Write train/dev/test .en/.de files into `out`; returns the number of pairs per split."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pairs = demo_pairs(seed=seed)
    splits = {"dev": pairs[:dev], "test": pairs[dev : dev + test], "train": pairs[dev + test :]}
    for name, part in splits.items():
        (out / f"{name}.en").write_text("".join(p[0] + "\n" for p in part), encoding="utf-8")
        (out / f"{name}.de").write_text("".join(p[1] + "\n" for p in part), encoding="utf-8")
    return {name: len(part) for name, part in splits.items()}
