#!/usr/bin/env bash
# The main job on built-in sample data; run by `make demo` (edc-issue is on PATH there).
# Every step prints what it did; results go to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=demo-out
rm -rf "$OUT" && mkdir -p "$OUT"
DATA=examples/data

step() { printf '\n== %s\n' "$*"; }

step "Canonicalize the sample credentials (RDFC-1.0, bundled contexts, offline)"
edc-issue canon "$DATA/ob3-sample-unsigned.json" -o "$OUT/ob3-sample.canon.nq"
echo "Open Badge 3.0 sample: $(wc -l < "$OUT/ob3-sample.canon.nq") canonical quads -> $OUT/ob3-sample.canon.nq"
edc-issue canon "$DATA/edc-CertOfPart-sealed.jsonld" -o "$OUT/edc-CertOfPart.canon.nq"
echo "EU EDC sample (sealed envelope, payload): $(wc -l < "$OUT/edc-CertOfPart.canon.nq") canonical quads -> $OUT/edc-CertOfPart.canon.nq"
edc-issue canon "$DATA/edc-CertOfPart-upload.json" --hash sha384 -o "$OUT/edc-CertOfPart-upload.sha384.nq"
echo "EU upload payload (EDC context added), SHA-384 labels: $(wc -l < "$OUT/edc-CertOfPart-upload.sha384.nq") quads"

printf '\nDone: results are in %s/\n' "$OUT"
