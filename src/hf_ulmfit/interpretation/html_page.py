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
"""HTML a person opens in a browser: words coloured by importance (green for the explained class, red against
it), the score on hover, and the evaluation report's tables. Self-contained pages: no script, no remote asset."""

import html

from .words import Word

POSITIVE = (22, 163, 74)  # towards the explained class
NEGATIVE = (220, 38, 38)  # against it (integrated gradients only)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
.text { line-height: 2; font-size: 1.05rem; }
.w { padding: 0.1rem 0.15rem; border-radius: 0.2rem; }
.meta { color: #444; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.case { border-top: 1px solid #ddd; padding: 0.8rem 0; }
"""


def word_colour(score: float, scale: float) -> str:
    """An rgba background: the hue says the sign, the opacity |score| / scale (the page's largest |score|)."""
    red, green, blue = POSITIVE if score >= 0 else NEGATIVE
    alpha = min(abs(score) / scale, 1.0) if scale > 0 else 0.0
    return f"rgba({red}, {green}, {blue}, {alpha:.3f})"


def coloured_words(words: list[Word]) -> str:
    """The words as spans; a word with a newline becomes a line break."""
    scale = max((abs(w.score) for w in words), default=0.0)
    parts = []
    for word in words:
        if not word.text.strip():
            parts.append("<br>" * word.text.count("\n") or " ")
            continue
        parts.append(
            f'<span class="w" style="background-color: {word_colour(word.score, scale)}" '
            f'title="{word.score:.4g}" data-score="{word.score:.6g}">{html.escape(word.text)}</span>'
        )
    return f'<div class="text">{" ".join(parts)}</div>'


def page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def explanation_html(words: list[Word], label: str, probability: float, method: str,
                     true_label: str | None = None, loss: float | None = None) -> str:
    """One text's block: the prediction, the method, then the coloured words."""
    facts = [f"predicted <b>{html.escape(label)}</b> with probability {probability:.3f}"]
    if true_label is not None:
        facts.append(f"true label <b>{html.escape(true_label)}</b>")
    if loss is not None:
        facts.append(f"loss {loss:.3f}")
    facts.append(f"importance: {method.replace('_', ' ')} (hover a word for its score)")
    return f'<p class="meta">{" · ".join(facts)}</p>\n{coloured_words(words)}'


def table(header: list[str], rows: list[list]) -> str:
    def cell(value, tag):
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        return f"<{tag}>{html.escape(text)}</{tag}>"

    head = "".join(cell(h, "th") for h in header)
    body = "".join("<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
