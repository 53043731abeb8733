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
"""A saved classifier over HTTP (`python -m hf_ulmfit.serve DIR`): FastAPI + uvicorn with dynamic batching, the
backends chosen at start, one JSON error per bad request (docs/serving.md). Needs `pip install 'hf_ulmfit[serve]'`."""
