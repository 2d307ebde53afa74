"""The real engine on the real pretrained encoder (built once into the cache folder), for the session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ARTICLE = """\
The city council voted on Tuesday to build a new bridge across the river. The bridge will connect the \
old town with the growing northern districts. Construction is expected to start next spring and to take \
three years. The council estimates the cost at 120 million euros, shared between the city and the region. \
Critics say the money would be better spent on buses and cycle lanes. Supporters argue that the bridge will \
cut travel times across the river by half. A public consultation last year found that most residents \
favoured the project. The mayor said the vote was a historic day for the city. Local shops on the northern \
bank hope the bridge will bring more customers. The design competition for the bridge will open in January."""


@pytest.fixture(scope="session")
def summarizer():
    from actions.summarization import default_summarizer

    return default_summarizer()


@pytest.fixture(scope="session")
def article() -> str:
    return ARTICLE
