#!/usr/bin/env bash
# The whole test suite: setup (apt, npm, build), typecheck, unit tests, privileged tests, cgroup v2 guest
# tests, containerd client test. Ends with one line: N passed, N failed, N skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
unset NODE_EXTRA_CA_CERTS
exec node scripts/run-tests.mjs "$@"
