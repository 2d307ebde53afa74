"""A conversation's summary for a hand-off to a person: who asked what, what was decided, what is open.

    summary = summarize_conversation([Turn("user", "Can I book for 4?"), Turn("bot", "Booked for 4 at 8.")])
    summary.questions[0].answer   ->  "Booked for 4 at 8."
    summary.render()              ->  the text a person reads

Rules (deterministic, per sentence of each turn):
- a question ends with "?" or opens with a question word (what, when, can, do, ...);
- it is answered by the first later turn of another speaker, unless that turn is a non-answer ("sorry, I
  didn't get that", "I don't know", ...) or only asks back; otherwise it stays open;
- a decision is a statement with a commitment marker (booked, confirmed, agreed, let's, we'll, ...);
- the gist (optional, with a Summarizer) is the extractive summary of the statements, two sentences.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from actions.summarization.errors import BadInput
from actions.summarization.splitting import split_sentences
from actions.summarization.summary import Budget

_QUESTION_START = re.compile(
    r"^(what|when|where|who|whom|whose|which|why|how|can|could|do|does|did|is|are|was|were|will|would|"
    r"should|shall|may|might|have|has|any)\b",
    re.IGNORECASE,
)
_NON_ANSWER = re.compile(
    r"\b(sorry|did ?n[o']t (get|understand|catch)|do ?n[o']t (know|understand)|not sure|can ?n[o']?t help|"
    r"rephrase|no idea)\b",
    re.IGNORECASE,
)
_DECISION = re.compile(
    r"\b(booked|confirmed?|agreed?|decided|scheduled|ordered|reserved|cancell?ed|settled|go with|"
    r"let'?s|let us|we'?ll|we will|i'?ll|i will|will do|deal|sounds good|done)\b",
    re.IGNORECASE,
)
log = logging.getLogger(__name__)

MAX_TURNS = 2_000
MAX_ITEMS = 10  # per section of the rendered summary


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


@dataclass(frozen=True)
class Question:
    turn: int  # index of the turn it was asked in
    speaker: str
    text: str
    answer: str | None  # the answering turn's text, None while open


@dataclass(frozen=True)
class Decision:
    turn: int
    speaker: str
    text: str


@dataclass(frozen=True)
class ConversationSummary:
    turns: int
    speakers: dict[str, int]  # speaker -> turns, in order of first appearance
    questions: tuple[Question, ...]
    decisions: tuple[Decision, ...]
    gist: tuple[str, ...] = field(default=())

    @property
    def open_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.answer is None)

    def render(self) -> str:
        who = ", ".join(f"{name} {count}" for name, count in self.speakers.items())
        lines = [f"Conversation so far: {self.turns} turns ({who})."]
        if self.gist:
            lines.append("Gist: " + " ".join(self.gist))
        answered = [q for q in self.questions if q.answer is not None]
        if answered:
            lines.append("Asked and answered:")
            lines += [f"- {q.speaker} asked: {q.text} -> {q.answer}" for q in answered[-MAX_ITEMS:]]
        if self.decisions:
            lines.append("Decided:")
            lines += [f"- {d.speaker}: {d.text}" for d in self.decisions[-MAX_ITEMS:]]
        if self.open_questions:
            lines.append("Open questions:")
            lines += [f"- {q.speaker} asked: {q.text}" for q in self.open_questions[-MAX_ITEMS:]]
        else:
            lines.append("Open questions: none.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.render(),
            "turns": self.turns,
            "speakers": dict(self.speakers),
            "gist": list(self.gist),
            "questions": [vars(q) for q in self.questions],
            "decisions": [vars(d) for d in self.decisions],
            "open_questions": [vars(q) for q in self.open_questions],
        }


def turns_from_dicts(items: Any) -> list[Turn]:
    """[{"speaker": ..., "text": ...}, ...] -> Turns; a bad item raises BadInput naming its index."""
    if not isinstance(items, list):
        raise BadInput(f"turns must be a list of {{speaker, text}} objects, got {type(items).__name__}")
    turns = []
    for i, item in enumerate(items):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("speaker"), str)
            or not isinstance(item.get("text"), str)
        ):
            raise BadInput(f"turn {i} must be an object with string 'speaker' and 'text', got {item!r:.80}")
        turns.append(Turn(item["speaker"].strip() or "unknown", item["text"]))
    return turns


def is_question(sentence: str) -> bool:
    s = sentence.strip()
    return s.endswith("?") or bool(_QUESTION_START.match(s))


def summarize_conversation(turns: list[Turn], summarizer: Any | None = None) -> ConversationSummary:
    """The hand-off summary of `turns` (oldest first). With a `Summarizer`, a two-sentence gist as well."""
    turns = [t for t in turns if t.text.strip()]
    if not turns:
        raise BadInput("there is no conversation to summarize yet: nothing has been said")
    if len(turns) > MAX_TURNS:
        raise BadInput(
            f"the conversation has {len(turns)} turns, the maximum is {MAX_TURNS}: send the latest part"
        )
    speakers: dict[str, int] = {}
    questions: list[Question] = []
    decisions: list[Decision] = []
    statements: list[str] = []
    for index, turn in enumerate(turns):
        speakers[turn.speaker] = speakers.get(turn.speaker, 0) + 1
        for sentence in split_sentences(turn.text):
            if is_question(sentence):
                questions.append(Question(index, turn.speaker, sentence, _answer(turns, index)))
            else:
                statements.append(sentence)
                if _DECISION.search(sentence):
                    decisions.append(Decision(index, turn.speaker, sentence))
    return ConversationSummary(
        len(turns), speakers, tuple(questions), tuple(decisions), _gist(statements, summarizer)
    )


def _answer(turns: list[Turn], asked_at: int) -> str | None:
    asker = turns[asked_at].speaker
    for turn in turns[asked_at + 1 :]:
        if turn.speaker == asker:
            continue
        sentences = split_sentences(turn.text)
        if _NON_ANSWER.search(turn.text) or all(is_question(s) for s in sentences):
            return None
        return turn.text.strip()
    return None


def _gist(statements: list[str], summarizer: Any | None) -> tuple[str, ...]:
    if summarizer is None or len(statements) < 4:
        return ()
    try:
        summary = summarizer.summarize("\n\n".join(statements), Budget(sentences=2))
    except BadInput as exc:  # e.g. not English: the questions and decisions above still stand
        log.info("event=summarization.conversation.no_gist reason=%r", exc.message)
        return ()
    return tuple(s.text for s in summary.sentences)
