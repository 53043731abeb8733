"""Why did it say that? Per-word importance for a saved ULMFiT classifier, as HTML pages a person opens.

    ulmfit explain runs/demo/classifier --text "A quiet, moving film." --out why.html
    ulmfit explain runs/demo/classifier --input test.jsonl --report report.html

--text writes one page: the words coloured by importance (green towards the predicted class, red against it),
the predicted label and its probability, each word's score on hover. --input writes the evaluation report:
per-class precision/recall/F1, the confusion matrix (report_confusion.png beside the page) and the --top_n largest
losses, each coloured. Importance: fastai's intrinsic attention (default) or integrated gradients (--method).
"""

import argparse
import json

from datasets import ClassLabel

from hf_ulmfit.interpretation import METHODS, explain, load_classifier, write_page, write_report
from hf_ulmfit.recipe.text_sources import load_texts


def read_labelled(source: str, text_column: str, label_column: str) -> tuple[list[str], list]:
    """Texts and labels of a local file (.jsonl/.json/.csv/.tsv/.txt) or Hub dataset; class ids become names."""
    data = load_texts([source], text_column, split="test", keep_columns=[label_column])
    labels = data[label_column]
    feature = data.features[label_column]
    if isinstance(feature, ClassLabel):
        labels = [feature.names[i] for i in labels]
    return data[text_column], labels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a saved ULMFiT classifier")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="one text to explain")
    source.add_argument("--input", help="an evaluation file with text and label columns, or a Hub dataset")
    parser.add_argument("--out", default="explanation.html", help="the page for --text")
    parser.add_argument("--report", default="report.html", help="the report for --input")
    parser.add_argument("--method", choices=METHODS, default="intrinsic_attention")
    parser.add_argument("--steps", type=int, default=32, help="integrated gradients' path steps")
    parser.add_argument("--top_n", type=int, default=10, help="top losses shown in the report")
    parser.add_argument("--text_column", default="text")
    parser.add_argument("--label_column", default="label")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = parser.parse_args(argv)
    model, tokenizer = load_classifier(args.folder)
    if args.text is not None:
        explanation = explain(model, tokenizer, args.text, args.method, steps=args.steps)
        path = write_page(explanation, args.out)
        print(json.dumps({"label": explanation.label, "probability": round(explanation.probability, 4),
                          "page": str(path)}))
        return
    texts, labels = read_labelled(args.input, args.text_column, args.label_column)
    summary = write_report(model, tokenizer, texts, labels, args.report, top_n=args.top_n, method=args.method,
                           steps=args.steps, batch_size=args.batch_size)
    print(json.dumps({k: summary[k] for k in ("accuracy", "report", "confusion_png")}))

