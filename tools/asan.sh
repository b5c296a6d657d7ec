#!/usr/bin/env bash
# Builds the native addon with AddressSanitizer + UndefinedBehaviorSanitizer into a separate
# folder (the normal build is untouched) and runs, under it, the kernel fuzzer and a short
# HybridIndex workload (add / search / delete / save / open). Any heap overflow, use after
# free or undefined behaviour aborts with a report; the script exits non-zero.
#
#   tools/asan.sh [fuzz-seconds=60]
#
# Needs g++ with libasan/libubsan (Debian: the default g++). LD_PRELOAD loads libasan before
# node, which is not built with ASan; leak checking is off (V8 keeps its heap until exit).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${TRIDENT_ASAN_DIR:-$ROOT/node_modules/.cache/trident-asan}"
SECS="${1:-60}"
GYP="$(dirname "$(command -v node)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$GYP" ] || GYP="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"

rm -rf "$OUT" && mkdir -p "$OUT"
cp "$ROOT"/native/*.cc "$ROOT"/native/*.h "$ROOT"/native/binding.gyp "$OUT"/
node -e '
  const fs = require("fs"); const p = process.argv[1];
  const g = JSON.parse(fs.readFileSync(p, "utf8").replace(/^\s*#.*$/gm, ""));
  const t = g.targets[0];
  const san = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-g"];
  t.cflags_cc = [...(t.cflags_cc || []), ...san];
  t.cflags = [...(t.cflags || []), ...san];
  t.ldflags = [...(t.ldflags || []), "-fsanitize=address,undefined"];
  t.include_dirs = [require("path").dirname(require.resolve(process.argv[2] + "/node_modules/node-addon-api/package.json"))];
  fs.writeFileSync(p, JSON.stringify(g, null, 2));
' "$OUT/binding.gyp" "$ROOT"
echo "== building the addon with ASan+UBSan in $OUT"
NODEDIR="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
GYPARGS=(rebuild)
if [ -n "$NODEDIR" ] && [ "$NODEDIR" != "undefined" ] && [ "$NODEDIR" != "null" ]; then GYPARGS+=("--nodedir=$NODEDIR"); fi
(cd "$OUT" && node "$GYP" "${GYPARGS[@]}" >"$OUT/build.log" 2>&1) || { tail -30 "$OUT/build.log"; exit 1; }

# capture first: `nm | grep -q` under pipefail fails when grep exits early (SIGPIPE to nm)
syms=$(nm -D "$OUT/build/Release/trident_native.node")
grep -q __asan_init <<<"$syms" || { echo "the addon is not instrumented"; exit 1; }
export TRIDENT_NATIVE_DIR="$OUT"
export LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$ROOT"
echo "== kernel fuzzer under ASan (${SECS}s)"
node --import tsx tools/fuzz/kernels-fuzz.ts --seconds "$SECS" --seed "${TRIDENT_FUZZ_SEED:-1}"
echo "== HybridIndex workload under ASan"
node --import tsx tools/fuzz/asan-workload.ts
echo "== ASan/UBSan: no errors"
