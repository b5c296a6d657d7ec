#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, install the tarball in a fresh folder with NO
# compiler on PATH (so only the shipped prebuild can give native kernels), then run the
# README's five-minute snippet and the CLI's index / search / eval on the shipped sample,
# checking what they print. Also: the tarball's contents (prebuild, no dangling source maps),
# `require('trident')`'s ESM-only message and `node -e "import('trident')"`.
# Usage: tools/pack-check.sh   (called by .ci/run; ~2-4 min). Set KEEP=1 to keep the folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/trident-pack-check.XXXXXX")"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
fail() { echo "pack-check: FAIL: $*" >&2; exit 1; }
say() { echo "pack-check: $*"; }

# 1. Pack (prepack rebuilds dist/ and the prebuild).
cd "$root"
npm pack --pack-destination "$work" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "npm pack"; }
tgz="$(ls "$work"/trident-*.tgz)"
tar -tzf "$tgz" > "$work/files.txt"
grep -Eq '^package/native/prebuilds/linux-x64/[^/]+\.node$' "$work/files.txt" || fail "no linux-x64 prebuild in the tarball"
grep -q '^package/esm-only.cjs$' "$work/files.txt" || fail "esm-only.cjs missing from the tarball"
grep -q '^package/dist/index.js$' "$work/files.txt" || fail "dist/index.js missing from the tarball"
# Every source map's sources must be in the tarball (today: no maps at all).
mkdir -p "$work/unpacked" && tar -xzf "$tgz" -C "$work/unpacked"
node -e '
const fs = require("fs"), path = require("path");
const [dir, list] = process.argv.slice(1);
const files = new Set(fs.readFileSync(list, "utf8").split("\n").filter(Boolean));
let bad = 0, maps = 0;
for (const f of files) {
  if (!f.endsWith(".map")) continue;
  maps++;
  const m = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  for (const s of m.sources ?? []) {
    const p = path.posix.normalize(path.posix.join(path.posix.dirname(f), m.sourceRoot ?? "", s));
    if (!files.has(p)) { console.error("dangling source map: " + f + " -> " + s); bad++; }
  }
}
if (bad) process.exit(1);
console.log("pack-check: " + maps + " source maps, none dangling");
' "$work/unpacked" "$work/files.txt"
say "packed $(basename "$tgz") ($(du -h "$tgz" | cut -f1), $(wc -l < "$work/files.txt") files)"

# 2. A PATH without compilers, make or python: links to every other tool on the current PATH.
nocc="$work/nocc-bin"
mkdir -p "$nocc"
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    n="$(basename "$f")"
    case "$n" in
      cc|c++|gcc|g++|clang|clang++|make|gmake|python|python3|python3.*|*-gcc|*-g++|*-gcc-[0-9]*|*-g++-[0-9]*|gcc-[0-9]*|g++-[0-9]*) continue ;;
    esac
    [ -e "$nocc/$n" ] || ln -s "$f" "$nocc/$n"
  done
done
export PATH="$nocc" CC=/bin/false CXX=/bin/false
command -v g++ > /dev/null 2>&1 && fail "g++ still on PATH"
command -v make > /dev/null 2>&1 && fail "make still on PATH"

# 3. Install the tarball in a fresh folder as the README says (no CUDA download).
app="$work/app"
mkdir -p "$app" && cd "$app"
printf '{ "name": "pack-check-app", "version": "1.0.0", "private": true, "type": "module" }\n' > package.json
export ONNXRUNTIME_NODE_INSTALL=skip
npm install --foreground-scripts --no-audit --no-fund "$tgz" > "$work/install.log" 2>&1 || { tail -40 "$work/install.log"; fail "npm install of the tarball"; }
grep -q "trident: using the prebuilt native addon" "$work/install.log" || { tail -40 "$work/install.log"; fail "the install step did not pick the prebuild"; }
[ -d node_modules/trident/native/build ] && fail "the install step built from source although a prebuild ships"
say "installed: node_modules $(du -sh node_modules | cut -f1); onnxruntime-node copies: $(find node_modules -name package.json -path '*/onnxruntime-node/package.json' | wc -l)"

# 4. The package loads from `node -e` (CommonJS eval context) with native kernels.
out="$(node -e "import('trident').then((m) => console.log(JSON.stringify(m.backend())))")" || fail "node -e import('trident')"
echo "$out" | grep -q '"kind":"native"' || fail "backend is not native from the prebuild: $out"
say "backend $out"
if node -e "require('trident')" > "$work/require.log" 2>&1; then fail "require('trident') did not throw"; fi
grep -q "trident is ESM-only" "$work/require.log" || { cat "$work/require.log"; fail "require('trident') message"; }

# 4b. A broken toolchain is not silent: building from source without a compiler says so on
# stderr (and the prebuild still serves), and an index on the TS fallback warns once at run time.
TRIDENT_BUILD_FROM_SOURCE=1 npm rebuild trident --foreground-scripts > "$work/rebuild.log" 2>&1 || true
grep -q "trident: WARNING: building the native addon from source failed (exit [0-9]*); the shipped prebuild native/prebuilds/linux-x64/node.glibc.node will be used" "$work/rebuild.log" || { tail -20 "$work/rebuild.log"; fail "a failed source build was silent"; }
out="$(node -e "import('trident').then((m) => console.log(m.backend().kind))")"
[ "$out" = native ] || fail "after a failed source build the prebuild no longer loads: $out"
mkdir -p "$work/empty-native"
TRIDENT_NATIVE_DIR="$work/empty-native" node --input-type=module -e "
import { MultiVectorStore, backend } from 'trident';
const s = MultiVectorStore.create({ dim: 2, dtype: 'f32' });
s.add(0, { data: Float32Array.of(1, 0), dim: 2, count: 1 });
s.score({ data: Float32Array.of(1, 0), dim: 2, count: 1 }, [0]);
s.score({ data: Float32Array.of(1, 0), dim: 2, count: 1 }, [0]);
console.log(backend().kind);" > "$work/fallback.out" 2> "$work/fallback.err" || { cat "$work/fallback.err"; fail "TS fallback run"; }
[ "$(cat "$work/fallback.out")" = js ] || fail "fallback run did not use the TS kernels"
[ "$(grep -c TRIDENT_NATIVE_FALLBACK "$work/fallback.err")" = 1 ] || { cat "$work/fallback.err"; fail "expected one TRIDENT_NATIVE_FALLBACK warning"; }
say "failed source build and TS fallback both say so"

# 5. The README's five-minute snippet.
cp "$root/examples/five-minutes.mjs" .
out="$(node five-minutes.mjs)" || fail "five-minutes.mjs"
[ "$out" = "[ 'a', 'b' ]" ] || fail "five-minutes.mjs printed: $out"
[ -f my-index/manifest.json ] || fail "five-minutes.mjs left no my-index/manifest.json"
say "five-minute snippet: $out"

# 6. The CLI on the shipped sample.
data="$root/examples/data/scifact-500"
npx --no-install trident index "$data/corpus.jsonl" --out idx --bm25 english > "$work/index.log" 2>&1 || { tail -20 "$work/index.log"; fail "trident index"; }
[ -f idx/manifest.json ] || fail "trident index wrote no manifest"
npx --no-install trident search idx "do statins reduce the risk of cancer" --k 3 --json > "$work/search.json" 2> "$work/search.err" || { cat "$work/search.err"; fail "trident search"; }
node -e '
const fs = require("fs");
const corpus = new Set(fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((l) => String(JSON.parse(l)._id)));
const raw = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const hits = Array.isArray(raw) ? raw : raw.hits;
if (!Array.isArray(hits) || hits.length !== 3) throw new Error("expected 3 hits, got " + JSON.stringify(raw).slice(0, 200));
for (const h of hits) if (!corpus.has(String(h.id)) || !(typeof h.score === "number")) throw new Error("bad hit " + JSON.stringify(h));
for (let i = 1; i < hits.length; i++) if (hits[i].score > hits[i - 1].score) throw new Error("hits not sorted by score");
console.log("pack-check: search top-3 " + hits.map((h) => h.id).join(", "));
' "$work/search.json" "$data/corpus.jsonl"
npx --no-install trident eval idx --beir "$data" --configs dense,bm25 --json eval.json > "$work/eval.log" 2>&1 || { tail -20 "$work/eval.log"; fail "trident eval"; }
node -e '
const rows = JSON.parse(require("fs").readFileSync("eval.json", "utf8")).rows;
const nd = Object.fromEntries(rows.map((r) => [r.name, r.result.metrics["ndcg@10"]]));
if (!(nd.dense > 0.3 && nd.dense <= 1) || !(nd.bm25 > 0.5 && nd.bm25 <= 1)) throw new Error("implausible nDCG@10 on scifact-500: " + JSON.stringify(nd));
console.log("pack-check: eval nDCG@10 dense " + nd.dense.toFixed(3) + ", bm25 " + nd.bm25.toFixed(3));
'
say "OK"
