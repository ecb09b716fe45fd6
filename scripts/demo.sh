#!/usr/bin/env bash
# One command from a fresh clone (as root): install, build, and run a real container from the busybox fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
bundle=$(mktemp -d /tmp/tsrun-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
node --import tsx scripts/demo-bundle.ts "$bundle"
echo "+ cmd/tsrun --root $bundle/state run --bundle $bundle demo-$$" >&2
./cmd/tsrun --root "$bundle/state" run --bundle "$bundle" "demo-$$"
