#!/usr/bin/env bash
# `make test`: a fresh stack on the test profile (its own ports and state folder), then every
# test target (unit and end-to-end through nginx) in one `swift test` run.
export PROFILE=test
source "$(dirname "$0")/lib.sh"

say "checking the format (.swift-format)"
# First, before anything is built or started: a formatting slip fails in seconds.
swift format lint --strict --recursive "$ROOT/Sources" "$ROOT/Tests" "$ROOT/Package.swift"

"$ROOT/scripts/down.sh" || true
[ -f "$STATE/pg-root" ] && rm -rf "$(cat "$STATE/pg-root")"
rm -rf "$STATE"
trap '"$ROOT/scripts/down.sh"' EXIT

"$ROOT/scripts/up.sh"
"$ROOT/scripts/verify-deploy.sh"
say "validating the OpenAPI document"
python3 -m openapi_spec_validator "$ROOT/Sources/Modules/Docs/openapi.json"
# Every schema has an example and every example is valid against its schema.
python3 "$ROOT/scripts/openapi-check.py" "$ROOT"

export COMMERCE_TEST_BASE_URL="http://127.0.0.1:$HTTP_PORT"
export COMMERCE_TEST_HTTPS_URL="https://127.0.0.1:$HTTPS_PORT"
export COMMERCE_TEST_STATE="$STATE"
export COMMERCE_TEST_ROOT="$ROOT"
export COMMERCE_TEST_BINARY="$BIN"
say "running the tests"
cd "$ROOT" && swift build --build-tests 2>&1 | grep -E ' error: |warning: unre' >&2 || true
# ClusterTests need `make test-cluster`'s hosts. Quiet the per-test lines; failures, issues and the closing "Test run" line stay visible.
swift test --skip-build --skip ClusterTests 2>&1 | tee "$LOGS/swift-test.log" | grep -Ev '^\[|^Building|^◇ |^✔ Suite |^✔ Test [^ ]+\(.*passed after' 
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || exit "$status"
# Last, once nothing else runs: the Debian package, built, checked, installed and purged.
"$ROOT/scripts/deb-check.sh"
