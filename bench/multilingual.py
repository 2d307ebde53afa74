"""Multilingual benchmark (issue 16) on xSID 0.7 valid (../shared/data/xsid_de_en_valid/, 300 parallel
English/German sentences): language identification on all 600, and the per-message cost of the
translate-in step (detection + de->en, greedy) with a given de->en model. With --nlu, the English NLU
is trained on SNIPS train plus the English half of xSID valid chosen by a hash of the sentence id and
scored on the other half, English-native and German through detection + de->en + NLU.
With --adapt-steps N, the de->en model is first fine-tuned for N steps on the German -> English pairs
of that same training half (mixed 1:1 with the demo's own translation pairs, so it keeps them, or with
the training pairs of --mix-with, a prepared de->en corpus) and saved under --work; everything after is
measured with the adapted model, on the other half only. --multi30k-en-de / --multi30k-de-en score
Multi30k models on test2016 (bench/multi30k_directions.py) for the BLEU and training-time keys.
Keys it cannot measure are listed under `missing`, never filled in.

    .venv/bin/python bench/multilingual.py --de-en demo/models/translation/de-en [--nlu] [--adapt-steps 800]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
XSID = DATA / "xsid_de_en_valid"
from bench.xsid_slots import entity_name, micro_f1, pairs, predicted, read_slots, snips_entities  # noqa: E402

ALL_KEYS = (
    "xsid_dev_sentences",
    "xsid_en_intent_acc",
    "xsid_de_intent_acc",
    "xsid_de_over_en",
    "xsid_en_slot_f1",
    "xsid_de_slot_f1",
    "langid_acc",
    "translate_in_p50_ms",
    "multi30k_en_de_test2016_bleu",
    "multi30k_de_en_test2016_bleu",
    "nmt_train_hours",
)


def read_conll(path: Path) -> list[dict]:
    """Sentences of an xSID .conll file: id (the position, 1-based: line i of the German file translates
    sentence i of the English one; the English file has no `# id =`), text, intent, slots (start, end,
    slot) from the tokens' BIO tags."""
    out: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            out.append({"id": str(len(out) + 1), "text": line[9:].strip()})
        elif line.startswith("# intent = "):
            out[-1]["intent"] = line[11:].strip()
    for sentence, spans in zip(out, read_slots(path), strict=True):
        sentence["slots"] = spans
    return out


def in_training_half(sentence_id: str) -> bool:
    return hashlib.sha1(sentence_id.encode("utf-8")).digest()[0] % 2 == 0


def in_selection_part(sentence_id: str) -> bool:
    """About a fifth of the training half, held out of the adaptation to choose its number of steps."""
    return in_training_half(sentence_id) and hashlib.sha1(sentence_id.encode("utf-8")).digest()[1] % 5 == 0


def langid(detector, settings, en: list[dict], de: list[dict]) -> dict:
    """`langid_acc`: the detector's language on each of the 600 sentences alone, as the first message of
    a conversation (the prior: the bot's language). `langid_tuning_half_acc` / `langid_other_half_acc`:
    the same on the hash halves (the detector's FRAME_WEIGHT and PRIOR were chosen on the tuning half,
    the one the NLU trains on). `langid_lingua_alone_acc`: lingua's best configured language without
    frame or prior, for comparison. In a conversation the floor applies: `langid_in_conversation_acc` is
    each sentence as the next message of a conversation already in its language (an unsure detection
    keeps it), as the bot decides."""
    from bot.channels.base import UserMessage
    from bot.dialogue.events import UserUttered
    from bot.multilingual.conversation import Multilingual
    from bot.multilingual.detection import FRAME_WEIGHT, PRIOR
    from bot.multilingual.translate import DictTranslation, MessageTranslator

    multilingual = Multilingual(settings, detector, MessageTranslator(DictTranslation({})))  # no NMT here
    right = confident = flagged = kept_right = alone = 0
    halves = {True: [0, 0], False: [0, 0]}  # in the tuning half -> [right, n]
    for code, sentences in (("en", en), ("de", de)):
        history = [UserUttered(text="", parse_data={"language": {"conversation": code}})]
        for s in sentences:
            d = detector.detect(s["text"], prior=settings.bot)
            right += d.language == code
            half = halves[in_training_half(s["id"])]
            half[0] += d.language == code
            half[1] += 1
            whole = detector._relative(detector._values(s["text"]))  # lingua alone
            alone += whole is not None and max(whole, key=whole.get) == code
            confident += d.language == code and d.confidence >= 0.8
            flagged += d.unsupported is not None
            decided = multilingual.incoming(
                UserMessage(text=s["text"], sender_id="b", language=None), history
            )
            kept_right += decided.language == code and decided.reply is None
    n = len(en) + len(de)
    return {
        "langid_acc": round(100 * right / n, 2),
        "langid_tuning_half_acc": round(100 * halves[True][0] / halves[True][1], 2),
        "langid_other_half_acc": round(100 * halves[False][0] / halves[False][1], 2),
        "langid_lingua_alone_acc": round(100 * alone / n, 2),
        "langid_method": {"frame_weight": FRAME_WEIGHT, "prior": PRIOR},
        "langid_in_conversation_acc": round(100 * kept_right / n, 2),
        "langid_confident_share": round(100 * confident / n, 2),
        "langid_unsupported_false_alarms": flagged,
        "langid_sentences": n,
    }


def translate_in_cost(multilingual, de: list[dict]) -> dict:
    from bot.channels.base import UserMessage

    for s in de[:5]:  # warm-up: compile the decoder
        multilingual.translator.text(s["text"] + " .", "de", "en")
    times, detect_times = [], []
    outputs = []
    for s in de:
        started = time.perf_counter()
        incoming = multilingual.incoming(UserMessage(text=s["text"], sender_id="bench"), [])
        times.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        multilingual.detector.detect(s["text"])
        detect_times.append(1000 * (time.perf_counter() - started))
        outputs.append(incoming.nlu_text)
    times.sort()
    return {
        "translate_in_p50_ms": round(statistics.median(times), 2),
        "translate_in_p90_ms": round(times[int(0.9 * len(times))], 2),
        "detect_p50_ms": round(statistics.median(detect_times), 3),
        "translate_in_messages": len(times),
        "examples": [{"de": s["text"], "en_for_nlu": o} for s, o in list(zip(de, outputs, strict=True))[:5]],
    }


def adapt(
    de_en: Path,
    out: Path | None,
    en: list[dict],
    de: list[dict],
    steps: int,
    seed: int = 0,
    exclude: frozenset[str] = frozenset(),
    on_checkpoint=None,
    every: int = 0,
    mix_with: Path | None = None,
) -> dict:
    """Fine-tune the de->en model on the training half of xSID (German -> English; minus the ids in
    `exclude`) mixed 1:1 with the demo's pairs (or a sample of the training pairs of `mix_with`, a
    prepared de->en corpus, so a general model keeps what it knew); Adam at a constant 3e-4, label
    smoothing 0.1, clipped at 1. Saved to `out` (unless None); `on_checkpoint(steps, translator)` every
    `every` steps."""
    import random

    import keras
    import numpy as np
    import tensorflow as tf

    from translation.batching import make_batches
    from translation.demo_data import demo_pairs
    from translation.training import smoothed_loss
    from translation.translator import Translator

    translator = Translator.load(de_en)
    model, subwords = translator.model, translator.subwords
    xsid = [
        (g["text"], e["text"])
        for e, g in zip(en, de, strict=True)
        if in_training_half(e["id"]) and e["id"] not in exclude
    ]
    if mix_with is None:
        mixed = [(german, english) for english, german in demo_pairs()]
    else:  # a prepared de->en corpus (`parley translate prepare`): its training pairs
        lines = [(mix_with / f"train.{x}").read_text(encoding="utf-8").splitlines() for x in ("de", "en")]
        mixed = list(zip(*lines, strict=True))
    rng = random.Random(seed)
    optimizer = keras.optimizers.Adam(3e-4, beta_1=0.9, beta_2=0.98, epsilon=1e-9, global_clipnorm=1.0)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)] * 3, reduce_retracing=True)
    def step(src, tgt_in, tgt_out):
        with tf.GradientTape() as tape:
            loss_sum, count = smoothed_loss(model((src, tgt_in), training=True), tgt_out, 0.1)
            loss = loss_sum / tf.maximum(count, 1.0)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    started, done, epoch, losses = time.perf_counter(), 0, 0, []
    while done < steps:
        pairs = xsid + rng.sample(mixed, len(xsid))
        src = subwords.encode_source([p[0] for p in pairs])
        tgt = subwords.encode_target([p[1] for p in pairs])
        for batch in make_batches(src, tgt, max_tokens=1500, seed=seed, epoch=epoch):
            losses.append(float(step(batch.src, batch.tgt_in, batch.tgt_out)))
            done += 1
            if on_checkpoint is not None and every and done % every == 0:
                on_checkpoint(done, translator)
            if done >= steps:
                break
        epoch += 1
    if out is not None:
        translator.save(out, {"adapted": {"from": str(de_en), "xsid_pairs": len(xsid), "steps": steps}})
    return {
        "adapt_steps": steps,
        "adapt_epochs": epoch,
        "adapt_xsid_pairs": len(xsid),
        "adapt_s": round(time.perf_counter() - started, 1),
        "adapt_loss_first_last": [
            round(float(np.mean(losses[:20])), 3),
            round(float(np.mean(losses[-20:])), 3),
        ],
        "adapted_from": str(de_en),
    }


def label(intent: str) -> str:
    return intent.replace("/", "__")  # "/" marks Rasa's retrieval intents


def xsid_entities(sentence: dict) -> tuple:
    from nlu.data.training_data import EntityAnnotation

    text = sentence["text"]
    return tuple(EntityAnnotation(a, b, entity_name(slot), text[a:b]) for a, b, slot in sentence["slots"])


def train_nlu(en: list[dict], work: Path, reuse: bool = False):
    """The English NLU on SNIPS train + the English training half of xSID -> (model, facts), with their
    slots as entities on xSID's schema (bench/xsid_slots.py). With
    `reuse`, a model already in `work` trained on the same data, config and seed (its fingerprint) is
    loaded instead of trained again (`nlu_retrained`: false; `nlu_train_s`: as that training recorded)."""
    from nlu.config import DEFAULT_PIPELINE, parse_pipeline
    from nlu.data.importers import read_snips
    from nlu.data.training_data import Example, TrainingData
    from nlu.model import NLUModel
    from nlu.train import train_on_data

    folder = DATA / "snips_nlu_benchmark_2017"
    train = read_snips(sorted(folder.glob("*/train_*_full.json")))
    snips = [replace(e, entities=snips_entities(e.entities)) for e in train.examples]
    extra = [
        Example(s["text"], label(s["intent"]), xsid_entities(s), f"xsid:{s['id']}")
        for s in en
        if in_training_half(s["id"])
    ]
    data = TrainingData(examples=[*snips, *extra])
    config = parse_pipeline([dict(c) for c in DEFAULT_PIPELINE], "en", "default pipeline")
    started = time.perf_counter()
    outcome = train_on_data(config, data, work / "nlu", force=not reuse, seed=0)
    train_s = time.perf_counter() - started
    if not outcome.retrained:
        train_s = float(outcome.summary.get("train_seconds", train_s))
    facts = {
        "nlu_train_s": round(train_s, 1),
        "nlu_retrained": bool(outcome.retrained),
        "nlu_train_examples": len(data.examples),
    }
    return NLUModel.load(work / "nlu"), facts


def select_steps(
    de_en: Path, en: list[dict], de: list[dict], model, candidates: list[int], mix_with: Path | None = None
) -> dict:
    """The number of adaptation steps, chosen inside the training half: adapt without its selection part
    (in_selection_part), and at each candidate count translate that part's German (greedy) and score the
    intents; the best wins, ties to fewer steps. The NLU was trained on that part's English, so the
    accuracies are only compared with each other."""
    part = [(e, g) for e, g in zip(en, de, strict=True) if in_selection_part(e["id"])]
    scores: dict[int, float] = {}

    def score(steps: int, translator) -> None:
        if steps in candidates:
            hyps = translator.translate([g["text"] for _, g in part], beam=1)
            hits = sum(
                model.parse(h.text).to_dict()["intent"]["name"] == label(e["intent"])
                for h, (e, _) in zip(hyps, part, strict=True)
            )
            scores[steps] = round(100 * hits / len(part), 2)

    every = min(candidates)
    adapt(de_en, None, en, de, max(candidates), exclude=frozenset(e["id"] for e, _ in part),
          on_checkpoint=score, every=every, mix_with=mix_with)  # fmt: skip
    best = max(sorted(scores), key=lambda steps: scores[steps])
    return {
        "adapt_selection_sentences": len(part),
        "adapt_selection_intent_acc": scores,
        "adapt_chosen": best,
    }


def nlu_scores(multilingual, en: list[dict], de: list[dict], model) -> dict:
    held_en = [s for s in en if not in_training_half(s["id"])]
    held_de = [s for s in de if not in_training_half(s["id"])]
    from bot.channels.base import UserMessage

    gold = [pairs((slot, s["text"][a:b]) for a, b, slot in s["slots"]) for s in held_en]
    en_hits, de_hits, en_pred, de_pred = 0, 0, [], []
    for e, g in zip(held_en, held_de, strict=True):
        parsed = model.parse(e["text"]).to_dict()
        en_hits += parsed["intent"]["name"] == label(e["intent"])
        en_pred.append(predicted(parsed, e["text"]))
        text = multilingual.incoming(UserMessage(text=g["text"], sender_id="bench"), []).nlu_text
        parsed = model.parse(text).to_dict()
        de_hits += parsed["intent"]["name"] == label(e["intent"])
        de_pred.append(predicted(parsed, text))
    en_acc, de_acc = 100 * en_hits / len(held_en), 100 * de_hits / len(held_de)
    en_slots, de_slots = micro_f1(gold, en_pred), micro_f1(gold, de_pred)
    return {
        "xsid_en_slot_f1": en_slots["f1"],
        "xsid_de_slot_f1": de_slots["f1"],
        "xsid_slot_scores": {"en": en_slots, "de": de_slots},
        "xsid_slot_f1_definition": "micro F1 of (slot, lower-cased value) pairs against the English gold "
        "slots, SNIPS entities renamed onto xSID's schema for training (bench/xsid_slots.py); split: the "
        "xSID valid half not trained on",
        "xsid_dev_sentences": len(held_en),
        "xsid_en_intent_acc": round(en_acc, 2),
        "xsid_de_intent_acc": round(de_acc, 2),
        "xsid_de_over_en": round(de_acc / en_acc, 3) if en_acc else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--de-en", type=Path, required=True, help="the de->en model directory")
    parser.add_argument("--nlu", action="store_true", help="also train the NLU and score xSID intents")
    parser.add_argument(
        "--adapt-steps", type=int, default=0, help="first fine-tune de->en on the xSID training half"
    )
    parser.add_argument("--adapt-only", action="store_true", help="stop after saving the adapted model")
    parser.add_argument(
        "--select-steps",
        type=lambda text: [int(x) for x in text.split(",")],
        default=None,
        help="candidate step counts (e.g. 1500,3000,4500): the adaptation's steps are chosen among them "
        "inside the training half (select_steps), then it runs on the whole half",
    )
    parser.add_argument(
        "--reuse-nlu", action="store_true", help="load the NLU in --work when its data and config match"
    )
    parser.add_argument(
        "--mix-with",
        type=Path,
        help="prepared de->en corpus whose training pairs the adaptation mixes in (default: the demo's)",
    )
    for name, lang in (("en-de", "English->German"), ("de-en", "German->English")):
        parser.add_argument(
            f"--multi30k-{name}", type=Path, help=f"{lang} Multi30k model to score on test2016 (beam 4)"
        )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "multilingual.json")
    parser.add_argument("--work", type=Path, default=REPO / ".parley" / "bench" / "multilingual")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    from bot.languages import LanguageSettings
    from bot.multilingual.conversation import Multilingual
    from bot.multilingual.detection import LinguaDetector
    from bot.multilingual.translate import MessageTranslator
    from translation.service import TranslationService

    en, de = read_conll(XSID / "en.valid.conll"), read_conll(XSID / "de.valid.conll")
    adapted: dict = {}
    de_en = args.de_en
    nlu_model, nlu_facts = None, {}
    if args.nlu or args.select_steps:
        nlu_model, nlu_facts = train_nlu(en, args.work, args.reuse_nlu)
    if args.select_steps:
        selection = select_steps(args.de_en, en, de, nlu_model, args.select_steps, args.mix_with)
        args.adapt_steps = selection["adapt_chosen"]
        adapted.update(selection)
    if args.adapt_steps:
        de_en = args.work / "de-en-xsid"
        adapted.update(adapt(args.de_en, de_en, en, de, args.adapt_steps, mix_with=args.mix_with))
        if args.adapt_only:
            print(json.dumps(adapted))
            return 0
    elif "adapted" in json.loads((de_en / "config.json").read_text()):  # adapted by an earlier run
        adapted = {"adapted": json.loads((de_en / "config.json").read_text())["adapted"]}
    settings = LanguageSettings("en", ("en", "de"))
    detector = LinguaDetector(settings.users, settings.detection.recognise, settings.detection.min_confidence)
    service = TranslationService.load({("de", "en"): de_en})
    multilingual = Multilingual(settings, detector, MessageTranslator(service))
    result: dict = {**langid(detector, settings, en, de), **translate_in_cost(multilingual, de), **adapted}
    if args.nlu:
        result.update(nlu_scores(multilingual, en, de, nlu_model))
        result.update(nlu_facts)
    service.close()
    if args.multi30k_en_de or args.multi30k_de_en:
        from bench.multi30k_directions import score_directions

        result.update(score_directions(args.multi30k_en_de, args.multi30k_de_en))
    model_cfg = json.loads((de_en / "config.json").read_text())
    result.update(
        {
            "de_en_model": str(de_en),
            "de_en_model_spec": model_cfg.get("model"),
            "targets": {
                "xsid_de_over_en": ">= 0.90",
                "langid_acc": ">= 99 (all 600 xSID valid sentences)",
                "translate_in_p50_ms": "<= 60",
            },
            "missing": sorted(k for k in ALL_KEYS if k not in result),
            "command": "python bench/multilingual.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "date": started_at,
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "loadavg_start": [round(x, 2) for x in load_start],
                "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            },
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key in (
        "langid_acc",
        "translate_in_p50_ms",
        "xsid_en_intent_acc",
        "xsid_de_intent_acc",
        "xsid_de_over_en",
        "xsid_en_slot_f1",
        "xsid_de_slot_f1",
        "multi30k_en_de_test2016_bleu",
        "multi30k_de_en_test2016_bleu",
        "nmt_train_hours",
    ):
        print(f"{key:24s} {result.get(key, 'missing')}")
    print(f"missing: {', '.join(result['missing'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
