"""The files a person opens: a text's page, the evaluation report, and examples/explain.py writing both."""

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from synthetic_reviews import reviews

from hf_ulmfit.commands.explain import main as explain_main
from hf_ulmfit.interpretation import Word, explain, write_page, write_report
from hf_ulmfit.interpretation.html_page import coloured_words
from hf_ulmfit.interpretation.report import per_class_scores


class Spans(HTMLParser):
    """The coloured words of a page: (text, score from the hover title, background style)."""

    def __init__(self):
        super().__init__()
        self.words, self.images, self._open = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and attrs.get("class") == "w":
            self._open = [float(attrs["title"]), attrs["style"], ""]
        if tag == "img":
            self.images.append(attrs["src"])

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "span" and self._open is not None:
            score, style, text = self._open
            self.words.append((text, score, style))
            self._open = None


def spans(path) -> Spans:
    parser = Spans()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser


def test_a_text_page_shows_every_word_with_its_score(trained, tmp_path):
    _, model, tokenizer = trained
    text = "The plot was great and the music superb."
    for method in ("intrinsic_attention", "integrated_gradients"):
        explanation = explain(model, tokenizer, text, method, steps=8)
        assert explanation.label == "pos" and explanation.probability > 0.5
        page = write_page(explanation, tmp_path / f"{method}.html")
        shown = spans(page).words
        assert [w for w, _, _ in shown] == ["The", "plot", "was", "great", "and", "the", "music", "superb", "."]
        assert [s for _, s, _ in shown] == pytest.approx([w.score for w in explanation.words], rel=1e-3, abs=1e-6)
        strongest = max(shown, key=lambda w: abs(w[1]))
        assert "rgba(22, 163, 74, 1.000)" in strongest[2]  # green at full strength
        assert "predicted <b>pos</b> with probability" in page.read_text()


def test_words_are_escaped_and_signs_coloured():
    html = coloured_words([Word("<script>", 2.0), Word("x", -1.0), Word("\n", 0.5)])
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "rgba(22, 163, 74, 1.000)" in html and "rgba(220, 38, 38, 0.500)" in html and "<br>" in html


def test_per_class_scores_by_hand():
    scores = per_class_scores(np.array([[3, 1], [2, 4]]))
    assert scores[0] == pytest.approx((3 / 5, 3 / 4, 2 * 0.6 * 0.75 / 1.35, 4))
    assert scores[1] == pytest.approx((4 / 5, 4 / 6, 2 * 0.8 * (4 / 6) / (0.8 + 4 / 6), 6))
    assert per_class_scores(np.array([[0, 0], [0, 2]]))[0] == (0.0, 0.0, 0.0, 0)


def test_report_has_metrics_confusion_png_and_coloured_top_losses(trained, tmp_path):
    _, model, tokenizer = trained
    texts, labels = reviews(20, seed=2)
    names = ["neg", "pos"]
    given = [names[label] for label in labels]
    given[0], given[1] = given[1], given[0]  # two mislabelled texts: the largest losses
    out = tmp_path / "new-folder"  # a report may name a folder that does not exist yet
    summary = write_report(model, tokenizer, texts, given, out / "report.html", top_n=3)
    matrix = np.array(summary["confusion_matrix"])
    assert matrix.sum() == 20 and summary["accuracy"] == pytest.approx(np.trace(matrix) / 20)
    assert {i for i, _ in summary["top_losses"][:2]} == {0, 1}
    png = Path(summary["confusion_png"])
    assert png.name == "report_confusion.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report_confusion.png"]  # no temporary left
    page = spans(out / "report.html")
    assert page.images == ["report_confusion.png"]
    assert len(page.words) > 3 * 10  # three coloured texts
    assert "<td>pos</td>" in (out / "report.html").read_text()
    with pytest.raises(ValueError, match="not one of the model's labels"):
        write_report(model, tokenizer, texts[:2], ["neg", "maybe"], tmp_path / "bad.html")


def test_explain_script_writes_the_page_and_the_report(trained, tmp_path, capsys):
    folder, _, _ = trained
    explain_main([str(folder), "--text", "An awful, dull film.", "--out", str(tmp_path / "why.html")])
    printed = json.loads(capsys.readouterr().out)
    assert printed["label"] == "neg" and Path(printed["page"]).exists()
    texts, labels = reviews(6, seed=3)
    source = tmp_path / "test.jsonl"
    rows = [{"text": text, "label": ["neg", "pos"][label]} for text, label in zip(texts, labels, strict=True)]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    explain_main([str(folder), "--input", str(source), "--report", str(tmp_path / "r.html"), "--top_n", "2",
                  "--method", "integrated_gradients", "--steps", "4"])
    printed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert printed["accuracy"] == 1.0 and (tmp_path / "r_confusion.png").exists()
    assert len(spans(tmp_path / "r.html").words) > 2 * 10
