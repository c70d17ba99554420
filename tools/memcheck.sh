#!/usr/bin/env bash
# Run the compiled kernels, the corpus_file tokenizer/counter and the loaders under valgrind memcheck.
# Reports the memcheck errors whose stack passes through cw2v's own compiled modules (_kernels, _corpus).
# Usage: bash tools/memcheck.sh   (uses the python on PATH, with cw2v importable; about 5-10 minutes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log="$(mktemp)"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }
PYTHONMALLOC=malloc OPENBLAS_NUM_THREADS=1 valgrind --tool=memcheck --error-limit=no --leak-check=no \
    --num-callers=30 --log-file="$log" python "$here/memcheck_driver.py"
ours=$(python - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.split(r"\n==\d+== \n", text)
errs = [b for b in blocks if re.search(r"(Invalid (read|write)|uninitialised|Mismatched free|Invalid free)", b)]
mine = [b for b in errs if re.search(r"_kernels|_corpus", b)]
print(len(errs), len(mine))
for b in mine[:5]:
    print(b)
PY
)
echo "valgrind log: $log"
echo "memcheck errors (all, in cw2v's modules): $(echo "$ours" | head -1)"
echo "$ours" | tail -n +2
test "$(echo "$ours" | head -1 | cut -d' ' -f2)" = "0"
