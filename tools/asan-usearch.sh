#!/usr/bin/env bash
# Builds usearch's Node addon from its own sources (node_modules/usearch ships them) with
# AddressSanitizer + UndefinedBehaviorSanitizer into a separate folder (the prebuilt addon is
# untouched), then runs the crafted-file fuzz with `usearch` resolved to that build, so an
# out-of-bounds read in the HNSW graph code aborts with a report instead of passing silently.
# The trident addon is the sanitized one from tools/asan.sh when it exists.
#
#   tools/asan-usearch.sh [cases=2000] [seed=1]
#
# Only usearch's own translation unit (javascript/lib.cpp: index.hpp, index_dense.hpp, where the
# graph is read and walked) is instrumented; numkong's distance kernels are built as usual.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${TRIDENT_USEARCH_ASAN_DIR:-$ROOT/node_modules/.cache/usearch-asan}"
CASES="${1:-2000}"
SEED="${2:-1}"
GYP="$(dirname "$(command -v node)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$GYP" ] || GYP="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
PKG="$OUT/node_modules/usearch"

if [ ! -f "$PKG/build/Release/usearch.node" ] || [ "${REBUILD:-0}" = 1 ]; then
  rm -rf "$OUT" && mkdir -p "$OUT/node_modules"
  cp -r "$ROOT/node_modules/usearch" "$PKG"
  rm -rf "$PKG/prebuilds" "$PKG/build"
  # binding.gyp is a Python literal (single quotes, trailing commas): edit it with Python
  python3 - "$PKG/binding.gyp" <<'PY'
import ast, json, sys
p = sys.argv[1]
g = ast.literal_eval(open(p).read())
t = next(x for x in g["targets"] if x["target_name"] == "usearch")
san = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-g", "-O1"]
t["cflags"] = t.get("cflags", []) + san
t["cflags_cc"] = t.get("cflags_cc", []) + san
t["ldflags"] = t.get("ldflags", []) + ["-fsanitize=address,undefined"]
open(p, "w").write(json.dumps(g, indent=2))
PY
  echo "== building usearch with ASan+UBSan in $PKG"
  NODEDIR="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
  GYPARGS=(rebuild -j 2)
  if [ -n "$NODEDIR" ] && [ "$NODEDIR" != "undefined" ] && [ "$NODEDIR" != "null" ]; then GYPARGS+=("--nodedir=$NODEDIR"); fi
  (cd "$PKG" && node "$GYP" "${GYPARGS[@]}" >"$OUT/build.log" 2>&1) || { tail -30 "$OUT/build.log"; exit 1; }
fi
syms=$(nm -D "$PKG/build/Release/usearch.node")
grep -q __asan_init <<<"$syms" || { echo "usearch.node is not instrumented"; exit 1; }

cat >"$OUT/hook.mjs" <<HOOK
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    if (specifier === 'usearch') return { url: 'file://$PKG/javascript/dist/cjs/usearch.js', format: 'commonjs', shortCircuit: true };
    return next(specifier, context);
  }\`));
HOOK
export NODE_OPTIONS="--import $OUT/hook.mjs"
if [ -f "$ROOT/node_modules/.cache/trident-asan/build/Release/trident_native.node" ]; then
  export TRIDENT_NATIVE_DIR="$ROOT/node_modules/.cache/trident-asan"
fi
export LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
# node installs its own SIGSEGV handler: keep ASan's so a wild read is reported with its stack
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:handle_segv=1:allow_user_segv_handler=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$ROOT"
echo "== canary: a crafted graph handed to usearch without trident's validation must abort under ASan"
if node --import tsx tools/fuzz/asan-canary.ts >"$OUT/canary.log" 2>&1 || ! grep -q 'ERROR: AddressSanitizer' "$OUT/canary.log"; then
  tail -20 "$OUT/canary.log"; echo "the sanitizer did not report the canary: is the instrumented usearch loaded?"; exit 1
fi
grep -m1 'ERROR: AddressSanitizer' "$OUT/canary.log"
echo "== crafted-file fuzz under ASan ($CASES cases, seed $SEED)"
node --import tsx tools/fuzz/crafted-fuzz.ts "$CASES" "$SEED" 100
echo "== ASan/UBSan: no errors"
