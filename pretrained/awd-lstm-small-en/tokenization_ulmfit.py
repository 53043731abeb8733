# Copyright 2026 The hf_ulmfit Authors. All rights reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""ULMFiT tokenizer: fastai 2.8's default text pipeline (rules + spaCy English words) on the `tokenizers` library.

This file is copied into every saved tokenizer folder so that the folder loads with `trust_remote_code=True` in a
process that never imports `hf_ulmfit`: it imports only the standard library, `tokenizers` and `transformers`.

Every step runs in Rust and is serialized in `tokenizer.json`:
- normalizer: fastai's rules (fix_html, replace_rep, replace_wrep, spec_add_spaces, rm_useless_spaces,
  replace_all_caps, replace_maj, lowercase) as regex replacements. Rules that compute text (the repeat counts of
  `xxrep n c` / `xxwrep n w`) write the count digit by digit: one replacement per decimal digit and place value.
- pre-tokenizer: spaCy 3's English tokenizer (whitespace, special cases, prefixes, suffixes, URLs, infixes) as a
  sequence of regex splits;
- model: `WordLevel` over fastai's vocabulary (`itos`), unknown words to `xxunk`;
- post-processor: `xxbos` first (and `xxeos` last when `add_eos_token`).
See docs/tokenizer.md for the measured agreement with fastai and what still differs.
"""

import json
from collections.abc import Iterable
from pathlib import Path

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers
from transformers import BatchEncoding, PreTrainedTokenizerFast
from transformers.tokenization_utils_base import PaddingStrategy, TruncationStrategy

# fastai's special tokens, in fastai's order (their ids are their positions in every fastai vocabulary).
SPECIAL_TOKENS = ["xxunk", "xxpad", "xxbos", "xxeos", "xxfld", "xxrep", "xxwrep", "xxup", "xxmaj"]
UNK, PAD, BOS, EOS, FLD, TK_REP, TK_WREP, TK_UP, TK_MAJ = SPECIAL_TOKENS
FAKE = "xxfake"  # fastai pads its vocabulary to a multiple of 8 with this token

# Python's str.isspace() set: fastai's `\s` and spaCy's whitespace test (Oniguruma's `\s` is a different set).
_WS = r"\t\n\x0B\x0C\r\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
_WS_NOT_SPACE = _WS.replace(" ", "")
# "▁": fastai's replace_space writes a space inside a whitespace token as this, and SentencePiece marks the start
# of a word with it (so fastai's SentencePiece vocabularies hold "▁xxbos").
SPACE_MARK = "\u2581"
# Private-use characters that tag a repetition while its count is written: start and end of the count for
# characters (replace_rep) and words (replace_wrep), and one placeholder per decimal place of the count.
_REP, _REP_END, _WREP, _WREP_END, _WREP_IN = "\ue000\ue001\ue002\ue003\ue004"
# `truncation=True` without `max_length` keeps this many tokens: fastai's classifier `max_len` (72 * 20), the
# span a classifier pools over. Nothing truncates unless asked: an AWD-LSTM reads documents of any length.
MODEL_MAX_LENGTH = 1440
# Longer runs of non-whitespace are cut into pieces of this many characters (no word or URL of the IMDb
# fixture comes close; fastai's tokens of such runs differ).
MAX_CHUNK = 100
_MAX_COUNT_PLACES = 6  # repeat counts are written exactly up to 999,999 repetitions
_PLACES = [chr(0xE010 + place) for place in range(_MAX_COUNT_PLACES)]
_SPLIT_EXCEPTIONS = (
    "10 a.m. ; 10 am ; 10 p.m. ; 10 pm ; 11 a.m. ; 11 am ; 11 p.m. ; 11 pm ; 12 a.m. ; 12 am ; 12 p.m. ; 12 pm ; 1 "
    "a.m. ; 1 am ; 1 p.m. ; 1 pm ; 2 a.m. ; 2 am ; 2 p.m. ; 2 pm ; 3 a.m. ; 3 am ; 3 p.m. ; 3 pm ; 4 a.m. ; 4 am ; "
    "4 p.m. ; 4 pm ; 5 a.m. ; 5 am ; 5 p.m. ; 5 pm ; 6 a.m. ; 6 am ; 6 p.m. ; 6 pm ; 7 a.m. ; 7 am ; 7 p.m. ; 7 pm "
    "; 8 a.m. ; 8 am ; 8 p.m. ; 8 pm ; 9 a.m. ; 9 am ; 9 p.m. ; 9 pm ; ai n't ; ai nt ; ai n’t ; are n't ; are nt ; "
    "are n’t ; c'm on ; ca n't ; ca n't 've ; can not ; ca nt ; ca nt ve ; ca n’t ; ca n’t ’ve ; could 've ; could "
    "n't ; could n't 've ; could nt ; could nt ve ; could n’t ; could n’t ’ve ; could ve ; could ’ve ; c’m on ; "
    "dare n't ; dare nt ; dare n’t ; did n't ; did n't 've ; did nt ; did nt ve ; did n’t ; did n’t ’ve ; does n't "
    "; does n't 've ; does nt ; does nt ve ; does n’t ; does n’t ’ve ; do n't ; do n't 've ; do nt ; do nt ve ; do "
    "n’t ; do n’t ’ve ; gon na ; got ta ; had n't ; had n't 've ; had nt ; had nt ve ; had n’t ; had n’t ’ve ; has "
    "n't ; has nt ; has n’t ; have n't ; have nt ; have n’t ; he 'd ; he 'd 've ; he 'll ; he 'll 've ; he 's ; he "
    "d ; he d ve ; he ll ve ; he s ; he ’d ; he ’d ’ve ; he ’ll ; he ’ll ’ve ; he ’s ; how 'd ; how 'd 've ; how 'd "
    "'y ; how 'll ; how 'll 've ; how 're ; how 's ; how 've ; how d ; how d ve ; how ll ; how ll ve ; how re ; how "
    "s ; how ve ; how ’d ; how ’d ’ve ; how ’d ’y ; how ’ll ; how ’ll ’ve ; how ’re ; how ’s ; how ’ve ; i 'd ; i "
    "'d 've ; i 'll ; i 'll 've ; i 'm ; i 'm a ; i 've ; i d ; i d ve ; i ll ve ; i m ; i m a ; is n't ; is nt ; "
    "is n’t ; it 'd ; it 'd 've ; it 'll ; it 'll 've ; it 's ; it d ; it d ve ; it ll ; it ll ve ; it ’d ; it ’d "
    "’ve ; it ’ll ; it ’ll ’ve ; it ’s ; i ve ; i ’d ; i ’d ’ve ; i ’ll ; i ’ll ’ve ; i ’m ; i ’m a ; i ’ve ; let "
    "'s ; let ’s ; may n't ; may n't 've ; may nt ; may nt ve ; may n’t ; may n’t ’ve ; might 've ; might n't ; "
    "might n't 've ; might nt ; might nt ve ; might n’t ; might n’t ’ve ; might ve ; might ’ve ; must 've ; must "
    "n't ; must n't 've ; must nt ; must nt ve ; must n’t ; must n’t ’ve ; must ve ; must ’ve ; need n't ; need n't "
    "'ve ; need nt ; need nt ve ; need n’t ; need n’t ’ve ; not 've ; not ve ; not ’ve ; ought n't ; ought n't 've "
    "; ought nt ; ought nt ve ; ought n’t ; ought n’t ’ve ; sha n't ; sha n't 've ; sha nt ; sha nt ve ; sha n’t ; "
    "sha n’t ’ve ; she 'd ; she 'd 've ; she 'll ; she 'll 've ; she 's ; she d ve ; she ll ve ; she s ; she ’d ; "
    "she ’d ’ve ; she ’ll ; she ’ll ’ve ; she ’s ; should 've ; should n't ; should n't 've ; should nt ; should nt "
    "ve ; should n’t ; should n’t ’ve ; should ve ; should ’ve ; that 'd ; that 'd 've ; that 'll ; that 'll 've ; "
    "that 's ; that d ; that d ve ; that ll ; that ll ve ; that s ; that ’d ; that ’d ’ve ; that ’ll ; that ’ll ’ve "
    "; that ’s ; there 'd ; there 'd 've ; there 'll ; there 'll 've ; there 're ; there 's ; there 've ; there d ; "
    "there d ve ; there ll ; there ll ve ; there re ; there s ; there ve ; there ’d ; there ’d ’ve ; there ’ll ; "
    "there ’ll ’ve ; there ’re ; there ’s ; there ’ve ; these 'd ; these 'd 've ; these 'll ; these 'll 've ; these "
    "'re ; these 've ; these d ; these d ve ; these ll ; these ll ve ; these re ; these ve ; these ’d ; these ’d "
    "’ve ; these ’ll ; these ’ll ’ve ; these ’re ; these ’ve ; they 'd ; they 'd 've ; they 'll ; they 'll 've ; "
    "they 're ; they 've ; they d ; they d ve ; they ll ; they ll ve ; they re ; they ve ; they ’d ; they ’d ’ve ; "
    "they ’ll ; they ’ll ’ve ; they ’re ; they ’ve ; this 'd ; this 'd 've ; this 'll ; this 'll 've ; this 's ; "
    "this d ; this d ve ; this ll ; this ll ve ; this s ; this ’d ; this ’d ’ve ; this ’ll ; this ’ll ’ve ; this ’s "
    "; those 'd ; those 'd 've ; those 'll ; those 'll 've ; those 're ; those 've ; those d ; those d ve ; those "
    "ll ; those ll ve ; those re ; those ve ; those ’d ; those ’d ’ve ; those ’ll ; those ’ll ’ve ; those ’re ; "
    "those ’ve ; was n't ; was nt ; was n’t ; we 'd ; we 'd 've ; we 'll ; we 'll 've ; we 're ; we 've ; we d ; we "
    "d ve ; we ll ve ; were n't ; were nt ; were n’t ; we ve ; we ’d ; we ’d ’ve ; we ’ll ; we ’ll ’ve ; we ’re ; "
    "we ’ve ; what 'd ; what 'd 've ; what 'll ; what 'll 've ; what 're ; what 's ; what 've ; what d ; what d ve "
    "; what ll ; what ll ve ; what re ; what s ; what ve ; what ’d ; what ’d ’ve ; what ’ll ; what ’ll ’ve ; what "
    "’re ; what ’s ; what ’ve ; when 'd ; when 'd 've ; when 'll ; when 'll 've ; when 're ; when 's ; when 've ; "
    "when d ; when d ve ; when ll ; when ll ve ; when re ; when s ; when ve ; when ’d ; when ’d ’ve ; when ’ll ; "
    "when ’ll ’ve ; when ’re ; when ’s ; when ’ve ; where 'd ; where 'd 've ; where 'll ; where 'll 've ; where 're "
    "; where 's ; where 've ; where d ; where d ve ; where ll ; where ll ve ; where re ; where s ; where ve ; where "
    "’d ; where ’d ’ve ; where ’ll ; where ’ll ’ve ; where ’re ; where ’s ; where ’ve ; who 'd ; who 'd 've ; who "
    "'ll ; who 'll 've ; who 're ; who 's ; who 've ; who d ; who d ve ; who ll ; who ll ve ; who s ; who ve ; who "
    "’d ; who ’d ’ve ; who ’ll ; who ’ll ’ve ; who ’re ; who ’s ; who ’ve ; why 'd ; why 'd 've ; why 'll ; why 'll "
    "'ve ; why 're ; why 's ; why 've ; why d ; why d ve ; why ll ; why ll ve ; why re ; why s ; why ve ; why ’d ; "
    "why ’d ’ve ; why ’ll ; why ’ll ’ve ; why ’re ; why ’s ; why ’ve ; wo n't ; wo n't 've ; wo nt ; wo nt ve ; wo "
    "n’t ; wo n’t ’ve ; would 've ; would n't ; would n't 've ; would nt ; would nt ve ; would n’t ; would n’t ’ve "
    "; would ve ; would ’ve ; y' all ; y all ; you 'd ; you 'd 've ; you 'll ; you 'll 've ; you 're ; you 've ; "
    "you d ; you d ve ; you ll ; you ll ve ; you re ; you ve ; you ’d ; you ’d ’ve ; you ’ll ; you ’ll ’ve ; you "
    "’re ; you ’ve ; y’ all ; ° c . ; ° f . ; ° k . "
)
_KEPT_EXCEPTIONS = (
    "' '' 'bout 'cause 'cos 'coz 'cuz 'd 'em 'll 'nuff 're 's (*_*) (-8 (-: (-; (-_-) (._.) (: (; (= (>_<) (^_^) "
    "(o: (¬_¬) (ಠ_ಠ) (╯°□°）╯︵┻━┻ )-: ): -_- -__- ._. 0.0 0.o 0_0 0_o 8) 8-) :'( :') :'-( :'-) :( :(( :((( :() :) "
    ":)) :))) :* :-( :-(( :-((( :-) :-)) :-))) :-* :-/ :-0 :-3 :-> :-] :-o :-p :-x :-| :-} :/ :0 :1 :3 :> :] :o :o) "
    ":p :x :| :} :’( :’) :’-( :’-) ;) ;-) ;_; <.< </3 <3 <33 <333 <space> =( =) =/ =3 =[ =] =| >.< >.> >:( >:o "
    "><(((*> @_@ [-: [: [= \\\") \\n \\t ]= ^_^ ^__^ ^___^ a. a.m. and/or b. c. co. d. doin doin' doin’ e. e.g. em f. "
    "g. goin goin' goin’ h. havin havin' havin’ i. i.e. j. k. l. ll lovin lovin' lovin’ m. ma'am ma’am n. nothin "
    "nothin' nothin’ nuff nuthin nuthin' nuthin’ o'clock o. o.0 o.o o_0 o_o ol ol' ol’ o’clock p. p.m. q. r. s. "
    "somethin somethin' somethin’ t. u. v. v.s. v.v v_v vs. w. w/o x. y. z. ¯\\(ツ)/¯ ä. ö. ü. ಠ_ಠ ಠ︵ಠ — ‘s ’ ’bout "
    "’cause ’cos ’coz ’cuz ’d ’em ’ll ’nuff ’re ’s ’’ "
)

# spaCy 3 English punctuation classes, written with Unicode properties where spaCy lists characters.
_LOWER = r"\p{Ll}\p{Lo}"
_UPPER = r"\p{Lu}\p{Lo}"
_ALPHA = r"\p{L}"
_QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉⟦⟧"
_PUNCT = "…,:;!?¿؟¡()\\[\\]{}<>_#*&。？！，、；：～·।،۔؛٪"
_CURRENCY = "$£€¥฿₠-₿﷼"
_ICONS = r"[\p{So}&&[^°]]"
_UNITS = (
    "km|km²|km³|m|m²|m³|dm|dm²|dm³|cm|cm²|cm³|mm|mm²|mm³|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb|oz|m/s|km/h|kmh|mph|"
    "hpa|pa|mbar|mb|kb|gb|tb|%"
)
_PREFIX = rf"[§%=—–{_PUNCT}{_QUOTES}{_CURRENCY}]|\+(?![0-9])|\.\.+|{_ICONS}"
_SUFFIX = (
    rf"'s|’s|\.\.+|[{_PUNCT}{_QUOTES}—–]|{_ICONS}|(?<=[0-9])\+|(?<=°[fck])\.|(?<=[0-9])(?:[{_CURRENCY}]|{_UNITS})"
    rf"|(?<=[0-9{_LOWER}%²\-+{_PUNCT}{_QUOTES}|?:])\.|(?<=[{_UPPER}][{_UPPER}])\."
)
_INFIX = (
    rf"\.\.+|…|{_ICONS}|(?<=[0-9])[+\-*^](?=[0-9-])|(?<=[{_LOWER}{_QUOTES}])\.(?=[{_UPPER}{_QUOTES}])"
    rf"|(?<=[{_ALPHA}]),(?=[{_ALPHA}])|(?<=[{_ALPHA}0-9])(?:-|–|—|--|---|——|~)(?=[{_ALPHA}])"
    rf"|(?<=[{_ALPHA}0-9])[:<>=/](?=[{_ALPHA}])"
)
_HOST_CHAR = r"a-z0-9\x{a1}-\x{ffff}"
_URL = (
    rf"(?:[\w+\-.]{{2,}}://)?(?:[^{_WS}]+(?::[^{_WS}]*)?@)?(?:(?:[{_HOST_CHAR}][{_HOST_CHAR}_-]{{0,62}})?"
    rf"[{_HOST_CHAR}]\.)+[{_LOWER}]{{2,63}}(?::\d{{2,5}})?(?:[/?#][^{_WS}]*)?"
)
# fix_html's literal replacements, in fastai's order, then the HTML entities html.unescape() meets most.
_FIX_HTML = [
    ("#39;", "'"), ("amp;", "&"), ("#146;", "'"), ("nbsp;", " "), ("#36;", "$"), ("\\n", "\n"), ("quot;", "'"),
    ("<br />", "\n"), ('\\"', '"'), ("<unk>", UNK), (" @.@ ", "."), (" @-@ ", "-"), ("...", " …"),
]  # fmt: skip
_HTML_ENTITIES = {"&lt;": "<", "&gt;": ">"}


def _split_exceptions() -> dict[str, list[str]]:
    """spaCy's lowercase special cases that split one word into several tokens ("don't" -> "do", "n't")."""
    entries = [e.split() for e in "".join(_SPLIT_EXCEPTIONS).split(" ; ")]
    return {"".join(pieces): pieces for pieces in entries}


def _regex_union(words: Iterable[str], tails: dict[str, str] | None = None) -> str:
    """A trie-shaped alternation of `words` (each optionally followed by a pattern from `tails`).

    Oniguruma tries the branches of an alternation one by one; sharing prefixes keeps that to a few
    character tests per position even with hundreds of words.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = (tails or {}).get(word, "")

    def emit(node: dict) -> str:
        branches = []
        for ch, child in sorted(node.items(), key=lambda kv: kv[0] == ""):
            branches.append(f"(?:{child})" if ch == "" else _escape(ch) + emit(child))
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _escape(text: str) -> str:
    return "".join("\\" + c if c in r".^$*+?()[]{}|\-/#&~'\"<>=:!,;" else c for c in text)


def _times(unit: str, n: int) -> str:
    """`unit` exactly n times; counts above 1000 are nested because Oniguruma caps a repeat at 100,000."""
    if n <= 1000:
        return f"(?:{unit}){{{n}}}"
    return f"(?:(?:{unit}){{1000}}){{{n // 1000}}}"


def _count_writers(start: str, end: str, head: str, unit: str) -> list[normalizers.Normalizer]:
    """Write, between `start` and `end`, how many times `unit` repeats after `end` (in decimal).

    `head` is a lookahead that captures what repeats (group 1); the run ends where `unit` no longer matches.
    tokenizers' Replace writes fixed text, so a regex chooses the digit: one placeholder per decimal place is
    written first, then one replacement per digit value fills every place holding that digit, and the
    placeholders left (zeros before the first digit) are removed.
    """
    written = f"[0-9{''.join(_PLACES)}]*{end}"
    unit = unit.replace("\\1", r"\k<-1>")  # each place's branch has its own group: refer to the nearest one
    steps = [normalizers.Replace(start, start + "".join(reversed(_PLACES)))]
    for digit in range(10):
        branches = []
        for place, placeholder in enumerate(_PLACES):
            size = 10**place
            higher = _times(unit, 10 * size) + ("+" if digit == 0 else "*")
            this = _times(unit, digit * size) if digit else ""
            lower = f"(?:{unit}){{0,{size - 1}}}" if size > 1 else ""
            branches.append(f"{placeholder}(?={written}{head}{higher}{this}{lower}(?!{unit}))")
        steps.append(normalizers.Replace(Regex("|".join(branches)), str(digit)))
    steps.append(normalizers.Replace(Regex(f"{start}[{''.join(_PLACES)}]+"), start))  # zeros before the first digit
    return steps


def _rule(pattern: str, content: str) -> normalizers.Normalizer:
    return normalizers.Replace(Regex(pattern), content)


def build_normalizer(lowercase: bool = True, mark_case: bool = True) -> normalizers.Normalizer:
    """fastai's `defaults.text_proc_rules` (without the `xxbos`, which the post-processor adds) and `replace_space`.

    `mark_case=False` drops replace_all_caps/replace_maj; `lowercase=False` keeps the case (fastai's rules list
    without `lowercase`).
    """
    ws, ws_ns = _WS, _WS_NOT_SPACE
    # A leading space: tokenizers cannot insert text at position 0, and "start of text" rules become "after a space".
    steps = [normalizers.Prepend(" ")]
    steps += [normalizers.Replace(old, new) for old, new in _FIX_HTML]
    steps += [normalizers.Replace(old, new) for old, new in _HTML_ENTITIES.items()]
    # replace_rep: a run of 3+ identical non-space characters -> " xxrep n c "
    steps.append(_rule(rf"(?=([^{ws}])\1\1)(?<!\1)", _REP + _REP_END))
    steps += _count_writers(_REP, _REP_END, rf"(?=([^{ws}]))", r"\1")
    steps.append(_rule(rf"{_REP_END}([^{ws}])\K\1+", ""))
    steps.append(_rule(rf"{_REP_END}[^{ws}]\K", " "))
    steps.append(normalizers.Replace(_REP, f" {TK_REP} "))
    steps.append(normalizers.Replace(_REP_END, " "))
    # replace_wrep: a word repeated 3+ times -> " xxwrep n w " (the whitespace before it becomes one space).
    # Every word that starts 3+ repeats gets a mark (and a count); those inside a run go away with the repeats.
    # Marks go before the first word of each run only: a mark right after a marked word (whitespace between) is
    # inside a run, and is changed to _WREP_IN, which gets no count. Each word start then looks at three words
    # and each run is counted once, so the rule stays linear (marking every word of a run scans it once per word).
    inner = rf"(?:[{_WREP}{_WREP_IN}][^{_WREP_END}]*{_WREP_END})?"
    steps.append(_rule(rf"[{ws}](?=(\w+)[{ws}]+\1[{ws}]+\1(?!\w))", f" {_WREP}{_WREP_END}"))
    steps.append(_rule(rf"{_WREP_END}\w+[{ws}]*\K{_WREP}", _WREP_IN))
    steps += _count_writers(_WREP, _WREP_END, r"(?=(\w+))", rf"[{ws}]*{inner}\1(?!\w)")
    steps.append(_rule(rf"{_WREP_END}(\w+)\K(?:[{ws}]+{inner}\1(?!\w))+", ""))
    steps.append(_rule(rf"{_WREP_END}\w+\K", " "))
    steps.append(normalizers.Replace(_WREP, f"{TK_WREP} "))
    steps.append(normalizers.Replace(_WREP_END, " "))
    # spec_add_spaces, rm_useless_spaces
    steps += [normalizers.Replace(c, f" {c} ") for c in "/#\\"]
    steps.append(_rule(" {2,}", " "))
    if mark_case:
        # replace_all_caps then replace_maj; a word is what lies between whitespace. Words in capitals are not
        # Sentence-case words, so the two insertions never meet the same word.
        steps.append(_rule(rf"(?<=\A|[{ws}])(?=[A-Z][^a-z{ws}]+(?:[{ws}]|\z))", f"{TK_UP} "))
        steps.append(_rule(rf"(?<=\A|[{ws}])(?=[A-Z][^A-Z{ws}]*[a-z][^A-Z{ws}]*(?:[{ws}]|\z))", f"{TK_MAJ} "))
    if lowercase:
        steps.append(normalizers.Lowercase())
    steps.append(normalizers.Strip())  # fastai's strip() (Python also strips \x1c-\x1f; Unicode does not)
    # spaCy's rules look ahead to the end of a chunk (the text between whitespace) from every token in it, so a
    # chunk costs the square of its length: a space every MAX_CHUNK characters keeps every input linear.
    steps.append(_rule(rf"[^{ws}]{{{MAX_CHUNK}}}\K(?=[^{ws}])", " "))
    # spaCy keeps whitespace other than one separating space as tokens; fastai writes their spaces as "▁".
    steps.append(_rule(rf"(?<=[{ws_ns}]) ", SPACE_MARK))
    return normalizers.Sequence(steps)


def build_pre_tokenizer(special_tokens: Iterable[str] = SPECIAL_TOKENS) -> pre_tokenizers.PreTokenizer:
    """spaCy 3's English tokenizer as one regex split that reads the text left to right, one token per match.

    A single space separates; other whitespace is a token (as in spaCy). In a chunk between whitespace, a match
    is: the chunk whole when it is a plain word; the pieces of a special case that splits ("do", "n't") or a
    special case ("e.g.", ":)") when only suffixes follow it; a suffix when only suffixes follow; a prefix; a URL;
    an infix; else the text up to the next infix or the suffixes. One pass over the text keeps the per-piece
    overhead of `tokenizers` to a single split.
    """
    ws, ws_ns = _WS, _WS_NOT_SPACE
    start, end = rf"(?<![^{ws}{SPACE_MARK}])", rf"(?=[{ws}]|\z)"  # chunk boundaries
    splits = _split_exceptions()
    kept = set("".join(_KEPT_EXCEPTIONS).split()) | set(special_tokens)
    # spaCy 3 also merges adjacent tokens that spell a special case ("content):" -> "content", "):"); for
    # specials made only of punctuation that means matching them before single prefix / suffix characters.
    punct_specials = _regex_union(s for s in kept if not any(c.isalnum() for c in s))
    only_suffixes = rf"(?:{_SUFFIX})*{end}"
    first_rests: dict[str, list[str]] = {}
    later: dict[tuple[str, str], list[str]] = {}
    for word, pieces in splits.items():
        first_rests.setdefault(pieces[0], []).append(word[len(pieces[0]) :])
        for i in range(1, len(pieces)):
            later.setdefault((pieces[i], "".join(pieces[i + 1 :])), []).append("".join(pieces[:i]))
    first_tails = {
        p: "(?=(?:" + "|".join(_escape(r) for r in rests) + f"){only_suffixes})" for p, rests in first_rests.items()
    }
    later_tails: dict[str, list[str]] = {}
    for (piece, rest), befores in later.items():
        behind = "|".join(_escape(b + piece) for b in befores)
        later_tails.setdefault(piece, []).append(f"(?<={behind})(?={_escape(rest)}{only_suffixes})")
    later_pieces = _regex_union(later_tails, {p: "(?:" + "|".join(t) + ")" for p, t in later_tails.items()})
    plain_splits = _regex_union(w for w in splits if w.isalnum())
    token = "|".join(
        [
            rf"[{ws_ns}][{ws_ns}{SPACE_MARK}]*",  # whitespace token; fastai wrote its spaces as "▁"
            # most chunks are a word of letters or of digits: nothing to split (unless spaCy splits it: "gonna")
            rf"{start}(?!(?:{plain_splits}){end})(?:[\p{{L}}\p{{M}}]+|[0-9]+){end}",
            _regex_union(first_rests, first_tails),
            later_pieces,
            rf"(?:{_regex_union(kept)})(?={only_suffixes})",
            rf"(?:{punct_specials}|{_SUFFIX})(?={only_suffixes})",
            rf"{punct_specials}|{_PREFIX}",
            rf"(?=[^{ws}]*\.)(?:{_URL})(?={only_suffixes})",  # the lookahead spares the URL pattern most words
            _INFIX,
            rf"(?:(?!{_INFIX}|(?:{_SUFFIX})+{end})[^{ws}])+",
            rf"[^{ws}]",
        ]
    )
    return pre_tokenizers.Split(Regex(token), behavior="removed", invert=True)


def build_backend(
    itos: list[str],
    lowercase: bool = True,
    mark_case: bool = True,
    special_tokens: Iterable[str] = SPECIAL_TOKENS,
    unk_token: str = UNK,
    check_order: bool = True,
) -> Tokenizer:
    """The `tokenizers` pipeline for a fastai vocabulary (see the module docstring). `check_order=False` accepts
    the special-token orders of fastai 1 vocabularies (the converter's); unknown words become `unk_token`."""
    vocab = check_itos(itos) if check_order else number_tokens(itos)  # before anything turns a wrong type into a list
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=unk_token))
    backend.normalizer = build_normalizer(lowercase=lowercase, mark_case=mark_case)
    backend.pre_tokenizer = build_pre_tokenizer(special_tokens)
    return backend


def _reversed_real(ids: list[int], mask: list[int]) -> list[int]:
    """`ids` with its real (unpadded) tokens in reverse order, padding left where it is."""
    real = [i for i, m in enumerate(mask) if m]
    if not real:
        return list(ids)
    start, end = real[0], real[-1] + 1
    return [*ids[:start], *ids[start:end][::-1], *ids[end:]]


def number_tokens(itos, source: str = "A ULMFiT vocabulary") -> dict[str, int]:
    """Token -> id for a list of unique non-empty strings, whatever its special-token order; a clear error
    naming `source` otherwise.

    fastai pads vocabularies with repeated `xxfake`; the repeats become `xxfake1`, `xxfake2`, ... so that every
    id keeps a token of its own (none of them can come out of the tokenizer's rules).
    """
    if isinstance(itos, (str, bytes)) or not isinstance(itos, (list, tuple)):
        raise TypeError(f"{source} must be a list of strings (fastai's itos), got {type(itos).__name__}.")
    vocab: dict[str, int] = {}
    fakes = 0
    for i, token in enumerate(itos):
        if not isinstance(token, str) or not token:
            raise ValueError(f"{source} must hold non-empty strings; entry {i} is {token!r}.")
        if token == FAKE and token in vocab:
            fakes += 1
            token = f"{FAKE}{fakes}"
        if token in vocab:
            raise ValueError(f"{source} must hold unique strings; {token!r} appears twice (ids {vocab[token]} and {i}).")
        vocab[token] = i
    return vocab


def check_itos(itos) -> dict[str, int]:
    """Token -> id for a fastai `itos` in fastai 2's order (its nine special tokens first); see `number_tokens`."""
    vocab = number_tokens(itos)
    for i, token in enumerate(SPECIAL_TOKENS):
        if vocab.get(token) != i:
            raise ValueError(f"fastai vocabularies start with {SPECIAL_TOKENS}; {token!r} is not at id {i}.")
    return vocab


def as_text(text, where: str = "text") -> str:
    """One text as `str`: UTF-8 bytes are decoded, anything else is a clear error."""
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray)):
        try:
            return bytes(text).decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{where} is bytes that are not valid UTF-8 ({err.reason} at byte {err.start}).") from None
    raise TypeError(f"{where} must be a string (or UTF-8 bytes), got {type(text).__name__}.")


def detokenize(tokens: list[str], skip_special_tokens: bool = True) -> str:
    """Readable text from fastai tokens: xxmaj / xxup / xxrep / xxwrep undone, tokens joined with spaces.

    `skip_special_tokens` drops every special token the rules leave (`xxunk`, `xxbos`, a trailing `xxmaj`, ...).
    """
    words: list[str] = []
    special = set(SPECIAL_TOKENS)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok == TK_MAJ and nxt is not None and nxt not in special:
            words.append(nxt[:1].upper() + nxt[1:])
            i += 2
        elif tok == TK_UP and nxt is not None and nxt not in special:
            words.append(nxt.upper())
            i += 2
        elif tok in (TK_REP, TK_WREP) and i + 2 < len(tokens) and tokens[i + 1].isdigit():
            n, what = int(tokens[i + 1]), tokens[i + 2]
            words.append(what * n if tok == TK_REP else " ".join([what] * n))
            i += 3
        else:
            if not (skip_special_tokens and (tok in special or tok.startswith(FAKE))):
                words.append(tok.replace(SPACE_MARK, " "))
            i += 1
    text = " ".join(words)
    # whitespace tokens (newlines) need no spaces around them
    return "\n".join(part.strip(" ") for part in text.split("\n"))


def make_vocab(counts: dict[str, int], min_freq: int = 3, max_vocab: int = 60000) -> list[str]:
    """fastai's `make_vocab`: the `max_vocab` most frequent tokens seen at least `min_freq` times, special tokens
    first, padded with `xxfake` to a multiple of 8 (eight of them when it already is one, as fastai does).

    Ties in frequency keep the order of `counts`, which is the order of first occurrence in the corpus when it
    comes from `count_words` (fastai's `Counter.most_common` does the same).
    """
    if min_freq < 1 or max_vocab < len(SPECIAL_TOKENS):
        raise ValueError(f"min_freq must be >= 1 and max_vocab >= {len(SPECIAL_TOKENS)}, got {min_freq}, {max_vocab}.")
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:max_vocab]  # stable: ties keep first occurrence
    special = set(SPECIAL_TOKENS)
    vocab = SPECIAL_TOKENS + [tok for tok, n in ranked if n >= min_freq and tok not in special]
    vocab = vocab[:max_vocab]
    return vocab + [FAKE] * (8 - len(vocab) % 8)


def words(backend: Tokenizer, text) -> list[str]:
    """Tokens of one text without the vocabulary lookup (`xxbos` first); lists of tokens (already tokenized) pass
    through."""
    if isinstance(text, (list, tuple)):
        return list(text)
    normalized = backend.normalizer.normalize_str(as_text(text)) if backend.normalizer else as_text(text)
    return [BOS] + [tok for tok, _ in backend.pre_tokenizer.pre_tokenize_str(normalized)]


def count_words(backend: Tokenizer, texts: Iterable) -> dict[str, int]:
    """Token counts over `texts` in this process, in order of first occurrence (dicts keep insertion order)."""
    counts: dict[str, int] = {}
    for text in texts:
        for tok in words(backend, text):
            counts[tok] = counts.get(tok, 0) + 1
    return counts


def _check_size_against_model(tokenizer, folder) -> None:
    """A local model folder whose tokenizer has fewer tokens than the model's embedding has rows holds a tokenizer
    saved with other weights (pipelines would run it silently, never reading some rows): refused, naming both."""
    config = Path(str(folder)) / "config.json" if folder is not None else None
    if config is None or not config.is_file():
        return
    try:
        values = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # the model's own loading reports a damaged config.json
    if values.get("model_type") == "ulmfit" and isinstance(values.get("vocab_size"), int):
        if len(tokenizer) < values["vocab_size"]:
            raise ValueError(
                f"{Path(str(folder)) / 'tokenizer.json'} has {len(tokenizer)} tokens but {config} gives the model "
                f"{values['vocab_size']} embedding rows: the tokenizer is not the one saved with these weights."
            )


class ULMFiTTokenizerFast(PreTrainedTokenizerFast):
    """fastai's default ULMFiT tokenization (rules + spaCy English words + `itos`) as a fast tokenizer.

    Build one from a fastai vocabulary with [`ULMFiTTokenizerFast.from_vocab`], or from a corpus with
    `hf_ulmfit.train_tokenizer` (fastai's `make_vocab`) or `hf_ulmfit.train_subword_tokenizer`. Every `input_ids` starts with `xxbos` (id 2); `add_eos_token=True` ends
    it with `xxeos` (id 3). `decode` gives readable text. `model_max_length` is 1440 (fastai's classifier
    `max_len`): `truncation=True` without `max_length` keeps that many tokens; without truncation nothing is cut.
    """

    vocab_files_names = {"tokenizer_file": "tokenizer.json"}
    model_input_names = ["input_ids", "attention_mask"]
    padding_side = "right"

    @classmethod
    def from_vocab(
        cls,
        itos: list[str],
        lowercase: bool = True,
        mark_case: bool = True,
        add_eos_token: bool = False,
        padding_side: str = "right",
        **kwargs,
    ) -> "ULMFiTTokenizerFast":
        """A tokenizer for an existing fastai vocabulary (`itos`, e.g. `learn.dls.vocab` or a converted model's).

        Args:
            itos: the tokens in id order; must start with fastai's nine special tokens.
            lowercase: fastai's `lowercase` rule (set False for a model trained without it).
            mark_case: fastai's `replace_all_caps` and `replace_maj` rules (`xxup`, `xxmaj`).
            add_eos_token: end every sequence with `xxeos` (fastai's `lowercase(add_eos=True)`).
            padding_side: where `pad` puts `xxpad`.
        """
        backend = build_backend(itos, lowercase=lowercase, mark_case=mark_case)
        return cls.from_backend(backend, add_eos_token=add_eos_token, padding_side=padding_side, **kwargs)

    @classmethod
    def from_backend(cls, backend: Tokenizer, **kwargs) -> "ULMFiTTokenizerFast":
        """A tokenizer around a `tokenizers` pipeline, with fastai's special tokens unless `kwargs` name others."""
        # No __init__ override: transformers then loads tokenizer.json as is (normalizer and pre-tokenizer included).
        special = {"unk_token": UNK, "pad_token": PAD, "bos_token": BOS, "eos_token": EOS, "add_bos_token": True}
        special["model_max_length"] = MODEL_MAX_LENGTH
        return cls(tokenizer_object=backend, **{**special, **kwargs})

    def train_new_from_iterator(self, text_iterator, vocab_size, length=None, new_special_tokens=None, **kwargs):
        """transformers' standard entry point: a fastai vocabulary (`max_vocab=vocab_size`, `min_freq` from kwargs,
        default 3) built from batches of texts, with this tokenizer's rules and options, counted in this process
        (`hf_ulmfit.train_tokenizer` counts in several)."""
        if new_special_tokens:
            raise ValueError(
                "ULMFiT vocabularies have fastai's nine special tokens; new_special_tokens is not supported."
            )
        if type(self.backend_tokenizer.model).__name__ != "WordLevel":
            raise ValueError("train_new_from_iterator retrains word-level ULMFiT tokenizers; use hf_ulmfit.train_subword_tokenizer.")
        texts = (text for batch in text_iterator for text in ([batch] if isinstance(batch, str) else batch))
        backend = self.backend_tokenizer
        counts = count_words(backend, texts)
        itos = make_vocab(counts, min_freq=kwargs.pop("min_freq", 3), max_vocab=vocab_size)
        new = Tokenizer.from_str(backend.to_str())
        new.model = models.WordLevel(vocab=check_itos(itos), unk_token=UNK)
        return self.from_backend(
            new,
            add_eos_token=self.add_eos_token,
            padding_side=self.padding_side,
            backwards=self.backwards,
            model_max_length=self.model_max_length,
        )

    @classmethod
    def from_pretrained(cls, *args, **kwargs) -> "ULMFiTTokenizerFast":
        tokenizer = super().from_pretrained(*args, **kwargs)
        _check_size_against_model(tokenizer, args[0] if args else kwargs.get("pretrained_model_name_or_path"))
        # transformers 5 keeps add_bos_token / add_eos_token out of tokenizer_config.json and trusts tokenizer.json's
        # post-processor; read them back from it so that changing one later keeps the other.
        post = tokenizer.backend_tokenizer.post_processor
        template = json.loads(post.__getstate__()).get("single", []) if post is not None else []
        specials = [item["SpecialToken"]["id"] for item in template if "SpecialToken" in item]
        object.__setattr__(tokenizer, "_add_bos_token", BOS in specials[:1])
        object.__setattr__(tokenizer, "_add_eos_token", EOS in specials[-1:])
        return tokenizer

    def __call__(self, text=None, *args, **kwargs):
        if text is None and kwargs.get("text_target") is None:
            raise TypeError("text must be a string (or UTF-8 bytes), got None.")
        return super().__call__(text, *args, **kwargs)

    # Options that need transformers' general conversion of each encoding; without them, ids and masks are read
    # straight from the encodings (that conversion costs about as much as the tokenization itself).
    _SLOW_PATH_OPTIONS = (
        "return_overflowing_tokens",
        "return_special_tokens_mask",
        "return_offsets_mapping",
        "return_length",
        "return_token_type_ids",
        "split_special_tokens",
        "sanitize_control_tokens",
    )

    def _encode_plus(self, text, text_pair=None, *args, is_split_into_words: bool = False, **kwargs):
        batch_of_pairs = isinstance(text, (list, tuple)) and any(isinstance(t, (list, tuple)) for t in text)
        if batch_of_pairs and not is_split_into_words:  # [(text, pair), ...], as BERT's tokenizer takes them
            if any(not isinstance(t, (list, tuple)) or len(t) != 2 for t in text):
                raise TypeError("A batch of pairs must hold (text, text_pair) tuples only.")
            text, text_pair = [a for a, _ in text], [b for _, b in text]
        if not is_split_into_words:
            text = [as_text(t, "each text") for t in text] if isinstance(text, (list, tuple)) else as_text(text)
            if text_pair is not None:
                pairs = text_pair
                text_pair = (
                    [as_text(t, "text_pair") for t in pairs] if isinstance(pairs, (list, tuple)) else as_text(pairs)
                )
        if args or is_split_into_words or text_pair is not None or any(kwargs.get(k) for k in self._SLOW_PATH_OPTIONS):
            if self.backwards:
                raise ValueError(
                    "A backwards ULMFiT tokenizer returns input_ids and attention_mask of single texts only; "
                    "pairs, pre-split words and extra outputs are not supported."
                )
            return super()._encode_plus(text, text_pair, *args, is_split_into_words=is_split_into_words, **kwargs)
        return self._encode_texts(text, **kwargs)

    @property
    def backwards(self) -> bool:
        """Whether token order is reversed (xxbos last), for the backward model of a ULMFiT ensemble. Set with
        `backwards=True` in any constructor; saved in tokenizer_config.json."""
        return bool(self.init_kwargs.get("backwards", False))

    def _encode_texts(
        self,
        text,
        add_special_tokens: bool = True,
        padding_strategy=None,
        truncation_strategy=None,
        max_length=None,
        stride: int = 0,
        pad_to_multiple_of=None,
        padding_side=None,
        return_tensors=None,
        return_attention_mask=None,
        **_,
    ) -> BatchEncoding:
        self.set_truncation_and_padding(
            padding_strategy=padding_strategy or PaddingStrategy.DO_NOT_PAD,
            truncation_strategy=truncation_strategy or TruncationStrategy.DO_NOT_TRUNCATE,
            max_length=max_length,
            stride=stride,
            pad_to_multiple_of=pad_to_multiple_of,
            padding_side=padding_side,
        )
        batched = isinstance(text, (list, tuple))
        encodings = self._tokenizer.encode_batch(text if batched else [text], add_special_tokens=add_special_tokens)
        ids = [_reversed_real(e.ids, e.attention_mask) if self.backwards else e.ids for e in encodings]
        data = {"input_ids": ids}
        if return_attention_mask is None or return_attention_mask:
            data["attention_mask"] = [e.attention_mask for e in encodings]
        if not batched and return_tensors is None:
            data = {key: value[0] for key, value in data.items()}
        return BatchEncoding(data, encodings, tensor_type=return_tensors)

    def _decode(self, token_ids, skip_special_tokens: bool = False, clean_up_tokenization_spaces=None, **kwargs) -> str:
        if isinstance(token_ids, int):
            token_ids = [token_ids]
        tokens = [self._tokenizer.id_to_token(int(i)) or UNK for i in token_ids]
        if self.backwards:  # read in reading order, so that case and repeat markers fall on the right words
            tokens = tokens[::-1]
        if type(self.backend_tokenizer.model).__name__ != "WordLevel":  # subwords: join pieces into words first
            tokens = self.backend_tokenizer.decoder.decode(tokens).split(" ")
        text = detokenize(tokens, skip_special_tokens=skip_special_tokens)
        # Tokens that do not start with xxbos continue a text (transformers' text-generation pipeline appends the
        # decoded new tokens to the prompt): a space goes before their first word, as between any two words.
        real = [tok for tok in tokens if tok != PAD]
        if text and real and real[0] != BOS and not text[0].isspace():
            text = " " + text
        return text

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        return detokenize(list(tokens), skip_special_tokens=False)


ULMFiTTokenizerFast.register_for_auto_class("AutoTokenizer")

__all__ = [
    "ULMFiTTokenizerFast",
    "SPECIAL_TOKENS",
    "make_vocab",
    "count_words",
    "detokenize",
    "build_backend",
    "build_normalizer",
    "build_pre_tokenizer",
]
