"""Extractive summarization on the NLU's sentence encoder: texts, uploads and conversations.

    from actions.summarization import Budget, Summarizer
    summary = Summarizer.load().summarize(text, Budget(sentences=3))

Modules: splitting (sentences), centrality (PacSum scores + lead bias), selection (MMR to a budget),
engine (the Summarizer), conversation (who asked what, decisions, open questions), uploads (bytes -> text),
cli / http / action (the three ways in). Errors: errors.SummarizationError and its `kind`.
"""

from actions.summarization.config import SummarizerConfig
from actions.summarization.engine import Prepared, Summarizer, default_summarizer
from actions.summarization.errors import BadInput, SummarizationError
from actions.summarization.summary import Budget, Summary, SummarySentence

__all__ = [
    "BadInput",
    "Budget",
    "Prepared",
    "SummarizationError",
    "Summarizer",
    "SummarizerConfig",
    "Summary",
    "SummarySentence",
    "default_summarizer",
]
