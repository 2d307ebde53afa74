"""bench/xsid_slots.py: xSID's BIO tags read back as character spans, SNIPS' entity names renamed onto
xSID's schema, and slot F1 on values (a self-written two-sentence .conll, not the shared data)."""

from __future__ import annotations

from bench.xsid_slots import micro_f1, pairs, predicted, read_slots, snips_entities
from nlu.data.training_data import EntityAnnotation

CONLL = """# text = Is it going to rain in New York today?
# intent = weather/find
1\tIs\tweather/find\tO
2\tit\tweather/find\tO
3\tgoing\tweather/find\tO
4\tto\tweather/find\tO
5\train\tweather/find\tB-weather/attribute
6\tin\tweather/find\tO
7\tNew\tweather/find\tB-location
8\tYork\tweather/find\tI-location
9\ttoday\tweather/find\tB-datetime
10\t?\tweather/find\tO

# text = add it to my playlist
# intent = AddToPlaylist
1\tadd\tAddToPlaylist\tO
2\tit\tAddToPlaylist\tO
3\tto\tAddToPlaylist\tO
4\tmy\tAddToPlaylist\tB-reference
5\tplaylist\tAddToPlaylist\tO
"""


def test_bio_tags_become_spans_of_the_text(tmp_path):
    path = tmp_path / "en.conll"
    path.write_text(CONLL, encoding="utf-8")
    first, second = read_slots(path)
    text = "Is it going to rain in New York today?"
    assert [(text[a:b], slot) for a, b, slot in first] == [
        ("rain", "weather/attribute"),
        ("New York", "location"),
        ("today", "datetime"),
    ]
    assert second == [(10, 12, "reference")]


def test_snips_names_are_renamed_onto_xsids_schema():
    entities = [
        EntityAnnotation(0, 5, "city", "Paris"),
        EntityAnnotation(6, 12, "timeRange", "friday"),
        EntityAnnotation(13, 15, "playlist_owner", "my"),
        EntityAnnotation(16, 22, "object_part_of_series_type", "series"),
        EntityAnnotation(23, 28, "artist", "Adele"),
    ]
    assert [e.entity for e in snips_entities(entities)] == ["location", "datetime", "reference", "artist"]


def test_slot_f1_counts_values_not_spans():
    gold = [pairs([("location", "New York"), ("datetime", "today")])]
    parse = {
        "entities": [
            {"entity": "location", "start": 8, "end": 16},
            {"entity": "datetime", "start": 0, "end": 3},
        ]
    }
    found = [predicted(parse, "rain in new york.")]  # "new york." matches; "rai" is wrong
    assert micro_f1(gold, found) == {"f1": 50.0, "precision": 50.0, "recall": 50.0, "gold": 2, "predicted": 2}
