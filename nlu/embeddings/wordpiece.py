"""BERT-uncased tokenization as TensorFlow graph ops, identical to the original (HF `BertTokenizerFast`).

The original normalises the whole string, then splits it:
  1. clean: drop NUL, U+FFFD and control/format/private-use characters (not \\t \\n \\r); whitespace -> ' ';
  2. CJK ideographs are isolated as words of their own;
  3. strip accents: NFD, then drop non-spacing marks (Mn); lower-case (per character, full mapping);
  4. split on whitespace; punctuation (ASCII punctuation or Unicode P*) becomes a word of its own;
  5. WordPiece, greedy longest match first; a word over 100 characters, or one with no full match, is [UNK].

Every step is per character, so this module works on characters: it normalises each character on its own,
classifies it, and joins runs of characters into words with segment ids. Keeping the character as the unit
gives exact offsets: each wordpiece's byte span in its normalised word maps back to the original characters
(a Hangul syllable that NFD splits into jamo maps each jamo to the syllable, as the original does).
`tf_text.FastWordpieceTokenizer(no_pretokenization=True)` then does step 5 word by word.

Known, deliberate limits (measured with the fuzz test against `tokenizers`): unassigned code points (Unicode
category Cn) are kept, where the original drops them; Unicode versions of RE2/ICU and Rust differ on a few
newly assigned characters.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf
import tensorflow_text as tf_text

MAX_CHARS_PER_WORD = 100  # the original's max_input_chars_per_word
MAX_WORDPIECES = 254  # sentence-transformers' max_seq_length 256, minus [CLS] and [SEP]

# Characters BERT's clean step turns into spaces: \t \n \r, Unicode Zs, and U+2028/U+2029 (Rust's
# char::is_whitespace minus the control characters, which the clean step has already dropped).
_WHITESPACE = (9, 10, 13, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000, 0x2028, 0x2029) + tuple(
    range(0x2000, 0x200B)
)
# BERT's "Chinese character" ranges as HF `tokenizers` spells them (CJK Unified Ideographs, extensions,
# compatibility blocks).
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),  # sic: `tokenizers` has 0x2B920 where BERT has 0x2B820; we match `tokenizers`
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)
_PUNCT_RE = r"[\pP!-/:-@\[-`{-~]"  # Unicode punctuation or any ASCII punctuation ($ + < = > ^ ` | ~ too)
_CONTROL_RE = r"[\x00\x{FFFD}\p{Cc}\p{Cf}\p{Co}\p{Cs}]"  # \t \n \r are whitespace, classified before this


def read_vocab(path: Path) -> list[str]:
    """The wordpiece vocabulary, one token per line, in id order."""
    return path.read_text(encoding="utf-8").splitlines()


class BertWordpieceTokenizer(tf.Module):
    """Strings -> wordpieces with ids and character offsets, all inside the graph (so it saves with a model).

    Output of `tokenize(texts)` for texts (batch,): a dict of RaggedTensors (batch, (n_pieces)):
    `ids` int32, `starts`/`ends` int32 character (code point) offsets into each input, `pieces` strings.
    [CLS]/[SEP] are not included; at most `max_pieces` wordpieces per input are kept.
    """

    def __init__(self, vocab: list[str], *, max_pieces: int = MAX_WORDPIECES, name: str | None = None):
        super().__init__(name=name)
        self.vocab = vocab
        self.max_pieces = max_pieces
        self.unk_id = vocab.index("[UNK]")
        self.cls_id = vocab.index("[CLS]")
        self.sep_id = vocab.index("[SEP]")
        self.pad_id = vocab.index("[PAD]")
        # Words are at most 100 characters, at most 4 bytes each; longer words are replaced by [UNK] first.
        self._wordpiece = tf_text.FastWordpieceTokenizer(
            vocab=vocab,
            suffix_indicator="##",
            max_bytes_per_word=4 * MAX_CHARS_PER_WORD + 8,
            token_out_type=tf.int32,
            unknown_token="[UNK]",
            no_pretokenization=True,
            support_detokenization=False,
        )
        self._vocab_table = tf.constant(vocab)

    def tokenize(self, texts: tf.Tensor) -> dict[str, tf.RaggedTensor]:
        # --- characters ------------------------------------------------------------------------------
        codepoints = tf.strings.unicode_decode(texts, "UTF-8", errors="replace")  # (batch, (chars)) int32
        cp = codepoints.flat_values  # (n,) every character of the batch, row after row
        row = codepoints.value_rowids()  # (n,) int64 which input each character belongs to
        char_index = tf.cast(
            tf.range(tf.size(cp, out_type=tf.int64)) - tf.gather(codepoints.row_starts(), row), tf.int32
        )  # (n,) character offset inside its input
        chars = tf.strings.unicode_encode(tf.expand_dims(cp, 1), "UTF-8")  # (n,) one-character strings

        is_ws = _in_set(cp, _WHITESPACE)
        is_cjk = _in_ranges(cp, _CJK_RANGES)
        is_control = tf.strings.regex_full_match(chars, _CONTROL_RE) & ~is_ws

        # --- per-character normalisation: NFD, drop non-spacing marks, lower-case --------------------
        norm = tf_text.normalize_utf8(chars, "NFD")
        norm = tf.strings.regex_replace(norm, r"\p{Mn}", "")
        norm = tf.strings.lower(norm, encoding="utf-8")  # (n,)
        norm = tf.where(is_control | is_ws, tf.constant("", tf.string), norm)
        kept = tf.strings.length(norm) > 0  # (n,) contributes to a word
        first = tf.strings.substr(norm, 0, 1, unit="UTF8_CHAR")
        is_punct = tf.strings.regex_full_match(first, _PUNCT_RE) & kept
        isolated = is_punct | (is_cjk & kept)

        # --- words: a new word starts at each input's start, at/after an isolated char, after whitespace
        n = tf.size(cp)
        prev_breaks = tf.concat([[True], (is_ws | isolated)[:-1]], 0)[:n]  # (n,)
        row_start = tf.concat([[True], tf.not_equal(row[1:], row[:-1])], 0)[:n]
        boundary = row_start | prev_breaks | isolated
        segment = tf.cumsum(tf.cast(boundary, tf.int32)) - 1  # (n,) candidate word id per character
        # keep only characters that contribute; renumber the surviving words 0..n_words-1
        k_idx = tf.boolean_mask(tf.range(n), kept)  # (k,)
        k_seg = tf.gather(segment, k_idx)
        word_of_char, _ = _dense_rank(k_seg)  # (k,) word id per kept character
        n_words = tf.reduce_max(tf.concat([word_of_char, [-1]], 0)) + 1
        k_norm = tf.gather(norm, k_idx)
        words = tf.strings.unsorted_segment_join(k_norm, word_of_char, n_words)  # (n_words,)
        word_row = tf.math.unsorted_segment_max(tf.gather(row, k_idx), word_of_char, n_words)  # (n_words,)
        k_char = tf.gather(char_index, k_idx)
        word_start = tf.math.unsorted_segment_min(k_char, word_of_char, n_words)
        word_end = tf.math.unsorted_segment_max(k_char, word_of_char, n_words) + 1

        # --- wordpieces ----------------------------------------------------------------------------
        too_long = tf.strings.length(words, unit="UTF8_CHAR") > MAX_CHARS_PER_WORD
        words = tf.where(too_long, tf.constant("[UNK]"), words)
        ids, p_bstart, p_bend = self._wordpiece.tokenize_with_offsets(words)  # (n_words, (pieces))
        piece_word = ids.value_rowids()  # (p,)
        # byte position of every kept character's normalised form in the concatenation of all words
        k_len = tf.strings.length(k_norm)  # (k,) bytes
        k_end = tf.cumsum(k_len)  # (k,) exclusive end, global
        k_begin = k_end - k_len
        word_byte0 = tf.math.unsorted_segment_min(k_begin, word_of_char, n_words)  # (n_words,)
        g_start = tf.gather(word_byte0, piece_word) + tf.cast(p_bstart.flat_values, tf.int32)
        g_last = tf.gather(word_byte0, piece_word) + tf.cast(p_bend.flat_values, tf.int32) - 1
        c_first = tf.searchsorted(k_end, g_start, side="right")  # (p,) kept char holding the first byte
        c_last = tf.searchsorted(k_end, g_last, side="right")
        last_k = tf.maximum(tf.shape(k_char)[0] - 1, 0)
        start = tf.gather(k_char, tf.minimum(c_first, last_k))
        end = tf.gather(k_char, tf.minimum(c_last, last_k)) + 1
        long_piece = tf.gather(too_long, piece_word)  # an [UNK] for a long word spans the whole word
        start = tf.where(long_piece, tf.gather(word_start, piece_word), start)
        end = tf.where(long_piece, tf.gather(word_end, piece_word), end)

        # --- regroup per input and truncate ---------------------------------------------------------
        batch = tf.shape(texts, out_type=tf.int64)[0]
        pieces_per_word = ids.row_lengths()  # (n_words,)
        pieces_per_row = tf.math.unsorted_segment_sum(pieces_per_word, word_row, batch)  # (batch,)
        splits = tf.concat([[0], tf.cumsum(pieces_per_row)], 0)

        def per_row(values: tf.Tensor) -> tf.RaggedTensor:
            return tf.RaggedTensor.from_row_splits(values, splits, validate=False)[:, : self.max_pieces]

        out_ids = per_row(ids.flat_values)
        return {
            "ids": out_ids,
            "starts": per_row(start),
            "ends": per_row(end),
            "pieces": tf.ragged.map_flat_values(tf.gather, self._vocab_table, out_ids),
            "truncated": pieces_per_row > self.max_pieces,
        }


def _in_set(cp: tf.Tensor, values: tuple[int, ...]) -> tf.Tensor:
    return tf.reduce_any(tf.equal(tf.expand_dims(cp, 1), tf.constant(values, tf.int32)), axis=1)


def _in_ranges(cp: tf.Tensor, ranges: tuple[tuple[int, int], ...]) -> tf.Tensor:
    lo = tf.constant([a for a, _ in ranges], tf.int32)
    hi = tf.constant([b for _, b in ranges], tf.int32)
    c = tf.expand_dims(cp, 1)
    return tf.reduce_any((c >= lo) & (c <= hi), axis=1)


def _dense_rank(sorted_ids: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Non-decreasing ids -> 0, 1, 2, ... renumbering (and the number of distinct ids)."""
    changed = tf.concat([[True], tf.not_equal(sorted_ids[1:], sorted_ids[:-1])], 0)
    changed = changed[: tf.size(sorted_ids)]
    rank = tf.cumsum(tf.cast(changed, tf.int32)) - 1
    return rank, tf.reduce_max(tf.concat([rank, [-1]], 0)) + 1
