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
"""Why did it say that? Per-token importance (fastai's intrinsic attention, integrated gradients) for ULMFiT
classifiers, merged into words, and the HTML pages and evaluation report that show it."""

from ..utils import load_classifier  # the package's one loader, shared with serving
from .attribution import METHODS, Attribution, integrated_gradients, intrinsic_attention
from .explanations import Explanation, explain, write_page
from .report import write_report
from .words import Word, merge_words

__all__ = [
    "METHODS",
    "Attribution",
    "Explanation",
    "Word",
    "explain",
    "integrated_gradients",
    "intrinsic_attention",
    "load_classifier",
    "merge_words",
    "write_page",
    "write_report",
]
