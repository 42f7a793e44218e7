#!/usr/bin/env bash
# Builds the browser code: frontend/src -> platform/static/build/{app.js,app.css,fonts/} and the
# authoring pages' entry (frontend/src/authoring.js -> authoring.js).
# Installs npm packages first when node_modules is missing or older than package-lock.json.
# Idempotent and quick: when sources, lockfile and this script are unchanged and the output
# exists, nothing is rebuilt (the output files keep their mtimes).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=platform/static/build
SRC=frontend/src
ESBUILD=node_modules/.bin/esbuild

# npm writes node_modules/.package-lock.json on every install; older than the lockfile = stale.
if [[ ! -d node_modules || ! -x $ESBUILD || ! -f node_modules/.package-lock.json \
      || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "build_frontend: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

stamp_file=$OUT/.stamp
stamp=$( { find "$SRC" -type f -print0 | sort -z | xargs -0 sha256sum; sha256sum package-lock.json "$0"; } \
  | sha256sum | cut -d' ' -f1)
if [[ -f $stamp_file && $(cat "$stamp_file") == "$stamp" && -f $OUT/app.js && -f $OUT/app.css \
      && -f $OUT/authoring.js && -d $OUT/fonts ]]; then
  echo "build_frontend: up to date"
  exit 0
fi

mkdir -p "$OUT"
# Build into a temporary folder and move into place, so a running server never serves half a build.
tmp=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$ESBUILD" "$SRC/main.js" --bundle --format=esm --minify --sourcemap --target=es2020 \
  --legal-comments=linked --log-level=warning --outfile="$tmp/app.js"
"$ESBUILD" "$SRC/authoring.js" --bundle --format=esm --minify --sourcemap --target=es2020 \
  --legal-comments=linked --log-level=warning --outfile="$tmp/authoring.js"
# KaTeX's CSS refers to fonts/KaTeX_*.woff2 relative to itself; leave those URLs alone (external)
# and copy the fonts next to app.css, where the same relative URLs resolve.
"$ESBUILD" "$SRC/styles.css" --bundle --minify --sourcemap --log-level=warning \
  --external:'*.woff2' --external:'*.woff' --external:'*.ttf' --outfile="$tmp/app.css"
mkdir -p "$tmp/fonts"
cp node_modules/katex/dist/fonts/* "$tmp/fonts/"

rm -rf "$OUT/fonts"
mv "$tmp/fonts" "$OUT/fonts"
for f in "$tmp"/*; do mv -f "$f" "$OUT/"; done
echo "$stamp" >"$stamp_file"
echo "build_frontend: built $(du -sh "$OUT" | cut -f1) into $OUT"
