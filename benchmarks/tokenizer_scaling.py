"""Wall-clock scaling of ULMFiTTokenizerFast on a large document (moved here from the test suite: timed checks
belong to benchmarks). Tokenizes a ~1 MB review-like document and the same four times over, prints both times and
their ratio, and exits 1 when 4x the text takes more than 8x the time (quadratic would be about 16x).

    python benchmarks/tokenizer_scaling.py
"""

import sys
import time

from hf_ulmfit import ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import make_vocab


def main() -> int:
    words = ["the", "movie", "was", "good", ",", "n't", "it", "?"]
    tok = ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in words}))
    text = "The movie was good, wasn't it? " * 35_000  # ~1 MB
    times = []
    for document in (text, text * 4):
        start = time.perf_counter()
        tok(document)
        times.append(time.perf_counter() - start)
    ratio = times[1] / times[0]
    print(f"1 MB: {times[0]:.2f} s, 4 MB: {times[1]:.2f} s, ratio {ratio:.1f} (linear 4, quadratic 16)")
    return 0 if times[1] < 8 * times[0] + 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
