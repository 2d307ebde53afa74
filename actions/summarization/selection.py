"""Pick sentences by MMR (Carbonell & Goldstein 1998) until the length budget is used, then restore order.

    next = argmax_i (1 - redundancy) * score_i - redundancy * max_{j picked} cos(v_i, v_j)

Ties go to the earlier sentence, so the choice is deterministic. Sentences shorter than `min_words`
(bylines, "published : ." fragments) are kept back and used only once every longer one is picked. With a
word budget, a sentence that would overflow it is skipped (a shorter one may still fit); if no sentence
fits at all, the best one is returned alone, longer than asked, rather than nothing.
"""

from __future__ import annotations

import numpy as np

from actions.summarization.summary import Budget


def mmr_select(
    scores: np.ndarray,  # (n,) in [0, 1]
    vectors: np.ndarray,  # (n, d) unit vectors
    words: list[int],  # (n,) words per sentence
    budget: Budget,
    *,
    redundancy: float,
    min_words: int,
) -> list[int]:
    """Indices of the chosen sentences, in input order."""
    n = len(scores)
    long_enough = np.array([w >= min_words for w in words], bool)
    pools = [long_enough, ~long_enough] if long_enough.any() else [np.ones(n, bool)]
    picked: list[int] = []
    max_sim = np.zeros(n)  # (n,) similarity to the closest picked sentence
    used_words = 0
    for pool in pools:
        available = pool.copy()
        while available.any():
            if budget.sentences is not None and len(picked) >= budget.sentences:
                return sorted(picked)
            choosable = available
            if budget.words is not None:
                fitting = available & np.array([used_words + w <= budget.words for w in words], bool)
                if fitting.any():
                    choosable = fitting
                elif picked:
                    return sorted(picked)  # the budget is used up
            gain = np.where(choosable, (1.0 - redundancy) * scores - redundancy * max_sim, -np.inf)
            best = int(np.argmax(gain))  # first maximum: the earliest sentence wins ties
            picked.append(best)
            used_words += words[best]
            available[best] = False
            max_sim = np.maximum(max_sim, vectors @ vectors[best])
    return sorted(picked)
