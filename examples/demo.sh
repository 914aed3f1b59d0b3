#!/usr/bin/env bash
# The main job on built-in sample data; run by `make demo` (edc-issue is on PATH there).
# It generates a key and a TEST e-seal certificate, builds an EDC micro-credential and the
# same award as an Open Badge 3.0, signs, bakes, seals, validates and verifies them.
# Every step prints what it did; results go to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=demo-out
rm -rf "$OUT" && mkdir -p "$OUT"
DATA=examples/data
export EDC_TEST_SEAL_PASSWORD="demo-only-$RANDOM$RANDOM"

step() { printf '\n== %s\n' "$*"; }

step "1. Canonicalize the sample credentials (RDFC-1.0, bundled contexts, offline)"
edc-issue canon "$DATA/ob3-sample-unsigned.json" -o "$OUT/ob3-sample.canon.nq"
echo "Open Badge 3.0 sample: $(wc -l < "$OUT/ob3-sample.canon.nq") canonical quads -> $OUT/ob3-sample.canon.nq"
edc-issue canon "$DATA/edc-CertOfPart-sealed.jsonld" -o "$OUT/edc-CertOfPart.canon.nq"
echo "EU EDC sample (sealed envelope, payload): $(wc -l < "$OUT/edc-CertOfPart.canon.nq") canonical quads"

step "2. Generate the issuer's signing key (Ed25519, did:key) and a TEST e-seal certificate"
edc-issue keygen --type ed25519 -o "$OUT/issuer-key.json"
python examples/make_test_certificate.py "$OUT/test-pki"

step "3. Build an EDC micro-credential (90-hour MOOC for teachers, Albania) and seal it"
python examples/build_edc_microcredential.py "$OUT"
edc-issue seal --p12 "$OUT/test-pki/test-eseal.p12" --password-env EDC_TEST_SEAL_PASSWORD \
  "$OUT/edc-microcredential.json" -o "$OUT/edc-microcredential.sealed.json"
echo "sealed -> $OUT/edc-microcredential.sealed.json (JAdES, RS256, unencoded payload)"

step "4. Validate the sealed EDC against the official shapes, then verify its seal"
edc-issue validate "$OUT/edc-microcredential.sealed.json"
edc-issue verify --trust "$OUT/test-pki/test-ca.pem" "$OUT/edc-microcredential.sealed.json"

step "5. Issue the same award as an Open Badge 3.0, signed (eddsa-rdfc-2022) and baked into a PNG"
python examples/build_ob3_from_edc.py "$OUT/edc-microcredential.json" "$OUT/issuer-key.json" "$OUT/badge.json"
edc-issue sign --key "$OUT/issuer-key.json" "$OUT/badge.json" -o "$OUT/badge.signed.json"
edc-issue validate "$OUT/badge.signed.json"
edc-issue bake "$DATA/badge.png" "$OUT/badge.signed.json" -o "$OUT/badge.baked.png"
edc-issue unbake "$OUT/badge.baked.png" -o "$OUT/badge.unbaked.json"
cmp -s "$OUT/badge.signed.json" "$OUT/badge.unbaked.json" && echo "unbaked credential is byte-identical to the signed one"
edc-issue verify "$OUT/badge.baked.png"
edc-issue sign --suite vc-jwt --key "$OUT/issuer-key.json" "$OUT/badge.json" -o "$OUT/badge.jwt"
echo "the same badge as a VC-JWT (EdDSA) -> $OUT/badge.jwt"
edc-issue verify "$OUT/badge.jwt"

step "6. Tampering is caught: change the badge's name and verify again (expect: NOT verified)"
python - "$OUT/badge.signed.json" "$OUT/badge.tampered.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["credentialSubject"]["achievement"]["name"] += " (edited)"
json.dump(doc, open(sys.argv[2], "w"), indent=2)
PY
if edc-issue verify "$OUT/badge.tampered.json"; then
  echo "ERROR: a tampered badge verified" >&2; exit 1
else
  echo "as expected, the tampered badge does not verify"
fi

step "7. A batch from a spreadsheet: five teachers -> signed, baked, revocable badges; revoke one"
edc-issue template init --ob3 -o "$OUT/batch"
cat >> "$OUT/batch/learners.csv" <<'CSV'
UT-2025-0002,Besa,Krasniqi,besa.krasniqi@example.org,1990-11-02,2025-06-27,10/10 (excellent)
UT-2025-0003,Milena,Vukovic,milena.vukovic@example.org,1985-07-21,2025-06-28,8/10 (good)
UT-2025-0004,Oksana,Kovalenko,oksana.kovalenko@example.org,1992-01-30,2025-06-28,9/10 (very good)
UT-2025-0005,Rasa,Kazlauskiene,rasa.kazlauskiene@example.org,1987-05-09,2025-06-29,7/10 (satisfactory)
CSV
edc-issue status create --purpose revocation --key "$OUT/issuer-key.json" \
  --id https://badges.example.edu/status/1 -o "$OUT/batch/status-list.json"
edc-issue issue --template "$OUT/batch/ob3-badge.json" --data "$OUT/batch/learners.csv" \
  --key "$OUT/issuer-key.json" --issuer-from-key --status-list "$OUT/batch/status-list.json" \
  --key-column student_id --bake "$OUT/batch/badge.png" -o "$OUT/batch/out" --quiet
echo "a second run issues nothing new:"
edc-issue issue --template "$OUT/batch/ob3-badge.json" --data "$OUT/batch/learners.csv" \
  --key "$OUT/issuer-key.json" --issuer-from-key --status-list "$OUT/batch/status-list.json" \
  --key-column student_id --bake "$OUT/batch/badge.png" -o "$OUT/batch/out" --quiet
first=$(python -c "import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x.get('file')][0]; print(r['file'] + ' ' + r['status_index'])" "$OUT/batch/out/report.csv")
file=${first% *}; index=${first#* }
edc-issue verify --status-list "$OUT/batch/status-list.json" "$OUT/batch/out/$file" > "$OUT/batch/before.txt"
grep -E "verified|status" "$OUT/batch/before.txt"
edc-issue status revoke "$OUT/batch/status-list.json" --key "$OUT/issuer-key.json" "$index"
if edc-issue verify --status-list "$OUT/batch/status-list.json" "$OUT/batch/out/$file" > "$OUT/batch/revoked.txt"; then
  echo "ERROR: a revoked badge verified" >&2; exit 1
else
  grep -E "NOT verified|status" "$OUT/batch/revoked.txt"
fi

step "8. The HTTP service: start edc-issue serve, issue a badge and seal an EDC with curl, verify both"
SVC="$OUT/service"
mkdir -p "$SVC"
PORT=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
edc-issue serve --dev --data "$SVC/data" --port "$PORT" > "$SVC/serve.out" 2> "$SVC/serve.log" &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 150); do curl -fs "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.2; done
TOKEN=$(sed -n 's/^token: //p' "$SVC/serve.out")
echo "service ready at http://127.0.0.1:$PORT (log: $SVC/serve.log)"
python - "$SVC/data/keys/default.json" "$DATA/ob3-sample-unsigned.json" > "$SVC/issue.json" <<'PY'
import json, sys
issuer = json.load(open(sys.argv[1]))["controller"]
badge = json.load(open(sys.argv[2]))
badge["issuer"] = dict(badge["issuer"], id=issuer) if isinstance(badge.get("issuer"), dict) else issuer
print(json.dumps({"credential": badge}))
PY
curl -fsS "http://127.0.0.1:$PORT/credentials/issue" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d @"$SVC/issue.json" \
  | python -c "import json,sys; json.dump(json.load(sys.stdin)['verifiableCredential'], open(sys.argv[1], 'w'), indent=2)" "$SVC/badge.json"
echo "POST /credentials/issue -> $SVC/badge.json (with a status entry)"
curl -fsS -u "dev:$TOKEN" -F "_file=@$DATA/edc-CertOfPart-upload.json;type=application/json" \
  "http://127.0.0.1:$PORT/europass2/edci-issuer/api/v2/public/credentials/seal" -o "$SVC/sealed.json"
echo "POST /europass2/edci-issuer/api/v2/public/credentials/seal (the Moodle plugin's upload) -> $SVC/sealed.json"
edc-issue verify "$SVC/badge.json"
edc-issue verify --trust "$SVC/data/dev-pki/test-ca.pem" "$SVC/sealed.json"
curl -fsS "http://127.0.0.1:$PORT/credentials/verify" -H 'Content-Type: application/json' \
  -d "{\"verifiableCredential\": $(cat "$SVC/badge.json")}" \
  | python -c "import json,sys; a = json.load(sys.stdin); print('POST /credentials/verify: verified =', a['verified'])"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
trap - EXIT
echo "service stopped"

printf '\nDone: results are in %s/\n' "$OUT"
