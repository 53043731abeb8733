#!/usr/bin/env bash
# transformers' own common model, generation and export tests on the three ULMFiT classes, run from outside the
# repository (a temporary folder), as ../shared/transformers-common-tests/README.md describes.
#   tools/transformers_common_tests.sh [package|remote] [pytest args...]
# package: classes imported from hf_ulmfit; remote: a tiny saved folder loaded through the Auto classes with
# trust_remote_code in a process that never imports hf_ulmfit. ULMFIT_PADDED=0 gives unpadded inputs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMMON="${COMMON_TESTS:-$ROOT/../shared/transformers-common-tests}"
PY="${PY:-$ROOT/.venv/bin/python}"
SOURCE="${1:-package}"; shift || true
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
cp -r "$COMMON"/. "$WORK"/ && chmod -R u+w "$WORK"
# PATCH (version skew): the copied export tests call ExportedModel.module(); transformers 5.23 calls the model itself.
sed -i 's/exported_program\.module()(/exported_program(/' "$WORK/tests/exporters/test_export.py"
cp "$ROOT/tools/test_modeling_ulmfit.py" "$WORK/tests/"
"$PY" -c "import parameterized" 2>/dev/null || "$PY" -m pip install -q parameterized
cd "$WORK" && ULMFIT_SOURCE="$SOURCE" HF_HUB_OFFLINE=1 RUN_SLOW="${RUN_SLOW:-1}" "$PY" -m pytest -q -p no:cacheprovider \
    tests/test_modeling_ulmfit.py "$@"
