"""Reading, checking, cleaning and splitting parallel text, and `prepare` (which also trains subwords).

A prepared directory holds `{train,dev,test}.{src_lang,tgt_lang}` (one sentence per line, cleaned),
`test.raw.{src_lang,tgt_lang}` (the test pairs as they were given, before any cleaning: what
`parley translate evaluate --prepared` scores against), the sentencepiece model(s), `meta.json`
(languages, subword settings) and `report.json` (what was dropped).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from translation.config import DataConfig, SubwordConfig
from translation.errors import DataError
from translation.subwords import model_files, train_sentencepiece

log = logging.getLogger(__name__)

Pair = tuple[str, str]
SPLITS = ("train", "dev", "test")


def read_lines(path: Path) -> list[str]:
    """Lines of a UTF-8 file without newlines; a decoding error names the file and line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    lines = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                lines.append(raw.decode("utf-8").rstrip("\r\n"))
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{path}: line {number} is not valid UTF-8 (byte {exc.start}: "
                    f"{raw[exc.start : exc.start + 4]!r}); re-encode the file as UTF-8"
                ) from exc
    return lines


def read_parallel(source: Path, target: Path) -> list[Pair]:
    """Pairs from two aligned files; different line counts stop with both counts and the first orphan line."""
    src, tgt = read_lines(source), read_lines(target)
    if len(src) != len(tgt):
        longer = source if len(src) > len(tgt) else target
        raise DataError(
            f"{source} has {len(src)} lines but {target} has {len(tgt)}: the files are not "
            f"aligned (first unmatched line is {longer}:{min(len(src), len(tgt)) + 1})"
        )
    if not src:
        raise DataError(f"{source}: empty corpus (0 lines)")
    return list(zip(src, tgt, strict=True))


def read_tsv(path: Path) -> list[Pair]:
    """Pairs from `source<TAB>target` lines; a line without exactly one tab stops with its number."""
    pairs = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            pairs.append(("", ""))
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise DataError(
                f"{path}: line {number} has {len(fields)} tab-separated fields, expected 2 "
                f"(source<TAB>target)"
            )
        pairs.append((fields[0], fields[1]))
    if not pairs:
        raise DataError(f"{path}: empty corpus (0 lines)")
    return pairs


@dataclass
class CleaningReport:
    total: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)  # reason -> first line numbers

    def summary(self) -> str:
        parts = ", ".join(f"{n} {reason}" for reason, n in sorted(self.dropped.items())) or "nothing"
        return f"kept {self.kept} of {self.total} pairs; dropped {parts}"


def clean(pairs: list[Pair], cfg: DataConfig, name: str = "corpus") -> tuple[list[Pair], CleaningReport]:
    """Drop empty, over-long, badly length-ratioed and duplicate pairs; report counts per reason."""
    report = CleaningReport(total=len(pairs))
    dropped: Counter[str] = Counter()
    seen: set[Pair] = set()
    kept = []
    for number, (src, tgt) in enumerate(pairs, start=1):
        src, tgt = " ".join(src.split()), " ".join(tgt.split())
        if cfg.lowercase:
            src, tgt = src.lower(), tgt.lower()
        ns, nt = len(src.split()), len(tgt.split())
        if ns == 0 or nt == 0:
            reason = "empty"
        elif max(ns, nt) > cfg.max_tokens:
            reason = f"longer than {cfg.max_tokens} tokens"
        elif max(ns, nt) / min(ns, nt) > cfg.max_length_ratio:
            reason = f"length ratio above {cfg.max_length_ratio}"
        elif (src, tgt) in seen:
            reason = "duplicate"
        else:
            seen.add((src, tgt))
            kept.append((src, tgt))
            continue
        dropped[reason] += 1
        report.examples.setdefault(reason, [])
        if len(report.examples[reason]) < 5:
            report.examples[reason].append(number)
    report.kept, report.dropped = len(kept), dict(dropped)
    if not kept:
        raise DataError(f"{name}: empty corpus after cleaning ({report.summary()})")
    return kept, report


def hash_split(pairs: list[Pair], dev_fraction: float, test_fraction: float) -> dict[str, list[Pair]]:
    """Repeatable split: a pair's bucket depends only on its source text's hash, not on order or seed."""
    splits: dict[str, list[Pair]] = {s: [] for s in SPLITS}
    for pair in pairs:
        h = int.from_bytes(hashlib.sha1(pair[0].encode("utf-8")).digest()[:8], "big") / 2**64
        split = "test" if h < test_fraction else "dev" if h < test_fraction + dev_fraction else "train"
        splits[split].append(pair)
    return splits


def write_split(out: Path, split: str, pairs: list[Pair], source: str, target: str) -> None:
    (out / f"{split}.{source}").write_text("".join(p[0] + "\n" for p in pairs), encoding="utf-8")
    (out / f"{split}.{target}").write_text("".join(p[1] + "\n" for p in pairs), encoding="utf-8")


RAW_TEST = "test.raw"  # file stem of the uncleaned test pairs in a prepared directory


def raw_test_pairs(pairs: list[Pair], cfg: DataConfig, hashed: bool) -> list[Pair]:
    """The test pairs as given (no whitespace, case, length or duplicate cleaning); only pairs with a
    blank side go, as there is nothing to translate or score. `hashed`: `pairs` is the whole corpus and
    the test split is cut by hash, so keep the raw pairs whose cleaned source hashes into test (the same
    rule `hash_split` applies), dropped ones included."""
    kept = [(s, t) for s, t in pairs if s.strip() and t.strip()]
    if not hashed:
        return kept
    out = []
    for src, tgt in kept:
        key = " ".join(src.split())
        key = key.lower() if cfg.lowercase else key
        if int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:8], "big") / 2**64 < cfg.test_fraction:
            out.append((src, tgt))
    return out


def read_split(prepared: Path, split: str) -> list[Pair]:
    meta = read_meta(prepared)
    return read_parallel(prepared / f"{split}.{meta['source']}", prepared / f"{split}.{meta['target']}")


def read_meta(prepared: Path) -> dict:
    path = Path(prepared) / "meta.json"
    if not path.is_file():
        raise DataError(f"{path}: not a prepared directory (run `parley translate prepare` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def prepare(
    out: Path,
    source: str,
    target: str,
    data_cfg: DataConfig,
    subword_cfg: SubwordConfig,
    splits: dict[str, list[Pair]],
) -> dict:
    """Clean the given splits (hash-splitting `train` when dev/test are absent), train subwords, write all.

    Returns the report written to `out/report.json`.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"source": source, "target": target, "splits": {}}
    cleaned: dict[str, list[Pair]] = {}
    for split, pairs in splits.items():
        kept, rep = clean(pairs, data_cfg, name=split)
        cleaned[split] = kept
        report["splits"][split] = asdict(rep)
        log.info("event=prepare.clean split=%s %s", split, rep.summary())
    if "dev" not in cleaned or "test" not in cleaned:
        parts = hash_split(cleaned["train"], data_cfg.dev_fraction, data_cfg.test_fraction)
        for split in ("dev", "test"):
            if split not in cleaned:
                cleaned[split] = parts[split]
        cleaned["train"] = parts["train"]
        report["hash_split"] = {s: len(p) for s, p in parts.items()}
    for split in SPLITS:
        if not cleaned.get(split):
            raise DataError(
                f"split '{split}' is empty after cleaning/splitting; give more data or "
                f"larger dev/test fractions"
            )
        write_split(out, split, cleaned[split], source, target)
    raw_test = raw_test_pairs(splits.get("test", splits["train"]), data_cfg, hashed="test" not in splits)
    write_split(out, RAW_TEST, raw_test, source, target)
    report["raw_test_pairs"] = len(raw_test)
    src_file, tgt_file = model_files(source, target, subword_cfg.joint)
    train = cleaned["train"]
    if subword_cfg.joint:
        texts = [t for pair in train for t in pair]
        report["vocab_size"] = {"joint": train_sentencepiece(texts, out / src_file, subword_cfg)}
    else:
        report["vocab_size"] = {
            source: train_sentencepiece([p[0] for p in train], out / src_file, subword_cfg),
            target: train_sentencepiece([p[1] for p in train], out / tgt_file, subword_cfg),
        }
    meta = {
        "source": source,
        "target": target,
        "joint": subword_cfg.joint,
        "subwords": asdict(subword_cfg),
        "sizes": {s: len(cleaned[s]) for s in SPLITS},
        "raw_test": {"stem": RAW_TEST, "pairs": len(raw_test)},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report
