"""The pages as a person sees them: headless Chromium (Debian's `chromium`) loads the text page and the report,
takes screenshots, and the coloured words are in them. Slow: CI runs it with `make test-slow`."""

import shutil
import subprocess
from pathlib import Path

import pytest

from hf_ulmfit.interpretation import explain, write_page, write_report
from hf_ulmfit.interpretation.html_page import POSITIVE

pytestmark = pytest.mark.slow

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


def chromium(page: Path, *args: str) -> subprocess.CompletedProcess:
    if BROWSER is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium); .ci/run installs it")
    result = subprocess.run([BROWSER, *FLAGS, *args, page.resolve().as_uri()], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    # Chromium logs the page's console messages and uncaught script errors as CONSOLE lines.
    assert not [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result


def green_pixels(screenshot: Path) -> int:
    import numpy as np
    from PIL import Image

    with Image.open(screenshot) as image:
        return int((np.asarray(image.convert("RGB")) == POSITIVE).all(-1).sum())


def check_page(page: Path, tmp_path: Path) -> str:
    """Screenshot and rendered DOM of `page`; the strongest word's full green must be on screen."""
    screenshot = tmp_path / f"{page.stem}.png"
    chromium(page, "--window-size=1200,1600", f"--screenshot={screenshot}")
    assert green_pixels(screenshot) > 50
    return chromium(page, "--dump-dom").stdout


def test_text_page_renders_in_chromium(trained, tmp_path):
    _, model, tokenizer = trained
    explanation = explain(model, tokenizer, "The music was great, the plot superb.", "integrated_gradients", steps=8)
    dom = check_page(write_page(explanation, tmp_path / "page.html"), tmp_path)
    assert dom.count('class="w"') == len([w for w in explanation.words if w.text.strip()])
    assert "great" in dom and "superb" in dom


def test_report_renders_in_chromium_with_its_confusion_matrix(trained, tmp_path):
    from synthetic_reviews import reviews

    _, model, tokenizer = trained
    texts, labels = reviews(12, seed=4)
    write_report(model, tokenizer, texts, labels, tmp_path / "report.html", top_n=3)
    dom = check_page(tmp_path / "report.html", tmp_path)
    missing = '<p id="confusion-missing">'  # what the image's onerror puts in its place
    assert '<img id="confusion"' in dom and missing not in dom
    (tmp_path / "report_confusion.png").unlink()
    assert missing in chromium(tmp_path / "report.html", "--dump-dom").stdout  # the check can fail
