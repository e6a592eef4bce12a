#!/usr/bin/env bash
# Re-vendor the front-end assets under wuye/static/vendor/ from the npm registry.
#
# This is a MAINTAINER tool. It is never run at install or deploy time: the
# resulting files are committed, so installing wuye needs no Node toolchain.
# Needs: bash, npm (and therefore node), tar. No CDN is used.
#
# Usage:  scripts/vendor-assets.sh
#
# Upgrading a library:
#   1. pick the new exact version, e.g.  npm view htmx.org@2 version
#   2. get its tarball integrity:        npm view htmx.org@2.0.12 dist.integrity
#   3. edit the matching *_VERSION / *_INTEGRITY pair below, run this script,
#      review `git diff --stat wuye/static/vendor`, check the UI, commit.
#
# What it does, per library: `npm pack name@version` into a temporary
# directory, verify the tarball's sha512 against the pinned integrity, unpack,
# copy only the minified runtime files plus the licence files, and regenerate
# wuye/static/vendor/README.md. Only the directories listed in MANAGED_DIRS
# (and README.md) are replaced; anything else under static/vendor is left alone.
#
# One deliberate change is made to the upstream files: trailing
# `sourceMappingURL` comments are removed from the copied .js/.css files,
# because the .map files are not vendored and Django's
# ManifestStaticFilesStorage (whitenoise's CompressedManifestStaticFilesStorage,
# used in production) aborts collectstatic on a reference to a missing file.
# For the same reason the icon font CSS is copied unedited together with every
# font file it references (woff2, woff and ttf).
set -euo pipefail

# --- pinned versions (exact) and npm tarball integrities ----------------------
TABLER_CORE_VERSION="1.6.1"
TABLER_CORE_INTEGRITY="sha512-lgmR9gcxRp5JlLxcmRi9Rz85JrEvH6Bz71KnlcPVSa97wtwQNjgSs3g3fxwbAlulHyRMghhIV04QUuW3pqDsIg=="
TABLER_ICONS_VERSION="3.49.0"
TABLER_ICONS_INTEGRITY="sha512-kWgnmEzo17dzQyMqRmlfj+TiGV0clLMYfUtKp2WG7M+TH5418o6fsoaSlrOTK3lwESg0xS7jVfOozYrR02Ryxw=="
HTMX_VERSION="2.0.11"
HTMX_INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
ALPINE_VERSION="3.17.5"
ALPINE_INTEGRITY="sha512-XewMqRC6zjy8iaUPn86dxjvooAsNai3hUtQbdn0A5H2w7Jt10xHGZ1SczN5+Dvp3UKkuSEt9moy/UaUWOwKdnQ=="
ECHARTS_VERSION="5.6.0"
ECHARTS_INTEGRITY="sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA=="
TOM_SELECT_VERSION="2.6.2"
TOM_SELECT_INTEGRITY="sha512-eiXIkk82XzzUTOVQDFpy+ZGejuqdTvMukyUyeZBQaKnqW42UoTiTZnrod/eX0rkqJEc4rZY9DZ3zdjV07i29wQ=="
# Licence texts only: tabler.min.js bundles Bootstrap's JS (5.3.8, see its
# `VERSION`) and Popper 2; their npm packages ship the licence files.
BOOTSTRAP_VERSION="5.3.8"
BOOTSTRAP_INTEGRITY="sha512-HP1SZDqaLDPwsNiqRqi5NcP0SSXciX2s9E+RyqJIIqGo+vJeN5AJVM98CXmW/Wux0nQ5L7jeWUdplCEf0Ee+tg=="
POPPER_VERSION="2.11.8"
POPPER_INTEGRITY="sha512-P1st0aksCrn9sGZhp8GMYwBnQsbvAWsZAX44oXNNvLHGqAOcoVxmjZiohstwQ7SqKnbR47akdNi+uleWD8+g6A=="

MANAGED_DIRS=(tabler tabler-icons htmx alpinejs echarts tom-select)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO_ROOT/wuye/static/vendor"

command -v npm >/dev/null || { echo "error: npm is required (maintainer-only tool)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wuye-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out"
mkdir -p "$OUT"

# fetch NAME VERSION INTEGRITY -> prints the unpacked package directory
fetch() {
    local name="$1" version="$2" integrity="$3"
    local pkdir="$WORK/pkg/${name//\//__}"
    mkdir -p "$pkdir"
    (cd "$pkdir" && npm pack --silent "${name}@${version}" >/dev/null)
    local tgz
    tgz="$(ls "$pkdir"/*.tgz)"
    local actual
    actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
    if [[ "$actual" != "$integrity" ]]; then
        echo "error: integrity mismatch for ${name}@${version}" >&2
        echo "  expected $integrity" >&2
        echo "  got      $actual" >&2
        exit 1
    fi
    tar -xzf "$tgz" -C "$pkdir"
    local got
    got="$(node -p 'require(process.argv[1]).version' "$pkdir/package/package.json")"
    [[ "$got" == "$version" ]] || { echo "error: $name unpacked as $got, wanted $version" >&2; exit 1; }
    echo >&2 "fetched ${name}@${version}"
    printf '%s\n' "$pkdir/package"
}

# put SRC DESTFILE  (relative to $OUT), refusing missing or empty sources
put() {
    local src="$1" dst="$OUT/$2"
    [[ -s "$src" ]] || { echo "error: missing or empty upstream file: $src" >&2; exit 1; }
    mkdir -p "$(dirname "$dst")"
    cp "$src" "$dst"
}

# Drop the trailing source-map comment (the .map files are not vendored).
strip_sourcemap() {
    local f="$OUT/$1"
    case "$f" in
        *.js)  sed -i -E '/^\/\/# sourceMappingURL=[^ ]*$/d' "$f" ;;
        *.css) sed -i -E 's@/\*# sourceMappingURL=[^ ]* \*/@@' "$f" ;;
    esac
}

# --- @tabler/core --------------------------------------------------------------
P="$(fetch @tabler/core "$TABLER_CORE_VERSION" "$TABLER_CORE_INTEGRITY")"
put "$P/dist/css/tabler.min.css" tabler/tabler.min.css
put "$P/dist/js/tabler.min.js" tabler/tabler.min.js
if [[ -f "$P/dist/css/tabler-vendors.min.css" ]]; then
    put "$P/dist/css/tabler-vendors.min.css" tabler/tabler-vendors.min.css
fi
# The npm tarball of @tabler/core ships no licence file; package.json says MIT.
# Verbatim text of LICENSE from https://github.com/tabler/tabler
if ls "$P"/LICEN[CS]E* >/dev/null 2>&1; then
    cp "$P"/LICEN[CS]E* "$OUT/tabler/"
else
    cat >"$OUT/tabler/LICENSE" <<'EOF'
The MIT License (MIT)

Copyright (c) 2018-2023 The Tabler Authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF
fi
P="$(fetch bootstrap "$BOOTSTRAP_VERSION" "$BOOTSTRAP_INTEGRITY")"
put "$P/LICENSE" tabler/LICENSE.bootstrap
P="$(fetch @popperjs/core "$POPPER_VERSION" "$POPPER_INTEGRITY")"
put "$P/LICENSE.md" tabler/LICENSE.popperjs.md
for f in tabler/tabler.min.css tabler/tabler.min.js tabler/tabler-vendors.min.css; do
    [[ -f "$OUT/$f" ]] && strip_sourcemap "$f"
done

# --- @tabler/icons-webfont -----------------------------------------------------
P="$(fetch @tabler/icons-webfont "$TABLER_ICONS_VERSION" "$TABLER_ICONS_INTEGRITY")"
put "$P/dist/tabler-icons.min.css" tabler-icons/tabler-icons.min.css
put "$P/LICENSE" tabler-icons/LICENSE
# Copy every font file the CSS references, at the same relative path (CSS unedited).
grep -oE 'url\("?\./fonts/[^")?#]+' "$OUT/tabler-icons/tabler-icons.min.css" \
    | sed -E 's@^url\("?\./@@' | sort -u | while read -r rel; do
        put "$P/dist/$rel" "tabler-icons/$rel"
    done
[[ -s "$OUT/tabler-icons/fonts/tabler-icons.woff2" ]] || { echo "error: woff2 icon font missing" >&2; exit 1; }

# --- htmx.org ----------------------------------------------------------------
P="$(fetch htmx.org "$HTMX_VERSION" "$HTMX_INTEGRITY")"
put "$P/dist/htmx.min.js" htmx/htmx.min.js
put "$P/LICENSE" htmx/LICENSE

# --- alpinejs ----------------------------------------------------------------
P="$(fetch alpinejs "$ALPINE_VERSION" "$ALPINE_INTEGRITY")"
put "$P/dist/cdn.min.js" alpinejs/alpine.min.js
# The alpinejs npm tarball ships no licence file; package.json says MIT.
# Verbatim text of LICENSE.md from https://github.com/alpinejs/alpine
if ls "$P"/LICEN[CS]E* >/dev/null 2>&1; then
    cp "$P"/LICEN[CS]E* "$OUT/alpinejs/"
else
    cat >"$OUT/alpinejs/LICENSE.md" <<'EOF'
# MIT License

Copyright © 2019-2021 Caleb Porzio and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
fi

# --- echarts -----------------------------------------------------------------
P="$(fetch echarts "$ECHARTS_VERSION" "$ECHARTS_INTEGRITY")"
put "$P/dist/echarts.min.js" echarts/echarts.min.js
put "$P/LICENSE" echarts/LICENSE
put "$P/NOTICE" echarts/NOTICE
put "$P/licenses/LICENSE-d3" echarts/licenses/LICENSE-d3   # referenced by LICENSE

# --- tom-select --------------------------------------------------------------
P="$(fetch tom-select "$TOM_SELECT_VERSION" "$TOM_SELECT_INTEGRITY")"
put "$P/dist/js/tom-select.complete.min.js" tom-select/tom-select.complete.min.js
put "$P/dist/css/tom-select.bootstrap5.min.css" tom-select/tom-select.bootstrap5.min.css
put "$P/LICENSE" tom-select/LICENSE
strip_sourcemap tom-select/tom-select.complete.min.js
strip_sourcemap tom-select/tom-select.bootstrap5.min.css

# --- sanity checks -------------------------------------------------------------
fail=0
while IFS= read -r -d '' f; do
    [[ -s "$f" ]] || { echo "error: empty file ${f#"$OUT"/}" >&2; fail=1; }
    case "$f" in *.map) echo "error: source map vendored: ${f#"$OUT"/}" >&2; fail=1 ;; esac
done < <(find "$OUT" -type f -print0)
if grep -rl 'sourceMappingURL=' "$OUT" --include='*.js' --include='*.css' >/dev/null; then
    echo "error: sourceMappingURL left in:" >&2
    grep -rl 'sourceMappingURL=' "$OUT" --include='*.js' --include='*.css' >&2
    fail=1
fi
# Every relative url(...) in the vendored CSS must resolve (ManifestStaticFilesStorage).
while IFS= read -r -d '' css; do
    while read -r ref; do
        [[ -z "$ref" ]] && continue
        target="$(dirname "$css")/${ref%%[?#]*}"
        [[ -s "$target" ]] || { echo "error: ${css#"$OUT"/} references missing $ref" >&2; fail=1; }
    done < <(grep -oE 'url\(["'"'"']?[^)"'"'"']+' "$css" | sed -E 's/^url\(["'"'"']?//' \
             | grep -vE '^(data:|https?:|//|#)' || true)
done < <(find "$OUT" -name '*.css' -print0)
[[ $fail -eq 0 ]] || { echo "vendoring aborted; $DEST left untouched" >&2; exit 1; }

# --- README ------------------------------------------------------------------
cat >"$OUT/README.md" <<EOF
# Vendored front-end assets

These files are vendored (committed) copies of the npm packages below, so that
installing and running wuye needs no Node.js, no npm and no front-end build
step, and pages never load anything from a CDN. They are generated by
\`scripts/vendor-assets.sh\` (maintainer-only; edit the pinned versions there
and re-run it to upgrade) — do not edit them by hand.

| Library | Exact version | Licence (SPDX) | Files (under \`static/vendor/\`) |
|---|---|---|---|
| [@tabler/core](https://www.npmjs.com/package/@tabler/core) | ${TABLER_CORE_VERSION} | MIT | \`tabler/tabler.min.css\`, \`tabler/tabler-vendors.min.css\`, \`tabler/tabler.min.js\`, \`tabler/LICENSE\` |
| ↳ Bootstrap (JS bundled inside \`tabler.min.js\`; Tabler's CSS is built from Bootstrap's Sass) | ${BOOTSTRAP_VERSION} | MIT | \`tabler/LICENSE.bootstrap\` |
| ↳ Popper, bundled inside \`tabler.min.js\` | ${POPPER_VERSION} (\`^2.11.8\` dep of @tabler/core) | MIT | \`tabler/LICENSE.popperjs.md\` |
| [@tabler/icons-webfont](https://www.npmjs.com/package/@tabler/icons-webfont) | ${TABLER_ICONS_VERSION} | MIT | \`tabler-icons/tabler-icons.min.css\`, \`tabler-icons/fonts/tabler-icons.woff2\`, \`tabler-icons/fonts/tabler-icons.woff\`, \`tabler-icons/fonts/tabler-icons.ttf\`, \`tabler-icons/LICENSE\` |
| [htmx.org](https://www.npmjs.com/package/htmx.org) | ${HTMX_VERSION} | 0BSD | \`htmx/htmx.min.js\`, \`htmx/LICENSE\` |
| [alpinejs](https://www.npmjs.com/package/alpinejs) | ${ALPINE_VERSION} | MIT | \`alpinejs/alpine.min.js\` (= \`dist/cdn.min.js\`), \`alpinejs/LICENSE.md\` |
| [echarts](https://www.npmjs.com/package/echarts) | ${ECHARTS_VERSION} | Apache-2.0 (embeds BSD-3-Clause d3 code) | \`echarts/echarts.min.js\`, \`echarts/LICENSE\`, \`echarts/NOTICE\`, \`echarts/licenses/LICENSE-d3\` |
| [tom-select](https://www.npmjs.com/package/tom-select) | ${TOM_SELECT_VERSION} | Apache-2.0 | \`tom-select/tom-select.complete.min.js\`, \`tom-select/tom-select.bootstrap5.min.css\`, \`tom-select/LICENSE\` |

Notes:

- The npm tarballs of \`@tabler/core\` and \`alpinejs\` ship no licence file
  (both declare MIT in \`package.json\`); \`tabler/LICENSE\` and
  \`alpinejs/LICENSE.md\` are the verbatim licence files of the upstream
  repositories (github.com/tabler/tabler, github.com/alpinejs/alpine).
- Source maps are not vendored, and the trailing \`sourceMappingURL\` comment
  has been removed from \`tabler.min.css\`, \`tabler-vendors.min.css\`,
  \`tabler.min.js\`, \`tom-select.complete.min.js\` and
  \`tom-select.bootstrap5.min.css\` (otherwise \`collectstatic\` with
  whitenoise's \`CompressedManifestStaticFilesStorage\` fails on the missing
  \`.map\` files). No other byte of any file is changed.
- \`tabler-icons.min.css\` is unedited; it references the woff2, woff and ttf
  fonts, so all three are vendored (a dangling \`url()\` would also break
  \`collectstatic\`).
EOF

# --- install into the repository ----------------------------------------------
mkdir -p "$DEST"
for d in "${MANAGED_DIRS[@]}"; do
    rm -rf "${DEST:?}/$d"
    cp -R "$OUT/$d" "$DEST/$d"
done
cp "$OUT/README.md" "$DEST/README.md"
chmod -R u+rwX,go+rX "$DEST"

echo "vendored into ${DEST#"$REPO_ROOT"/}:"
(cd "$DEST" && find . -type f | sort | while read -r f; do printf '  %9s  %s\n' "$(wc -c <"$f")" "${f#./}"; done)
du -sh "$DEST"
