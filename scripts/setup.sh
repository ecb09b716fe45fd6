#!/usr/bin/env bash
# Install everything tsrun needs on Debian 12 (as root), then build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(busybox-static gcc make libc6-dev runc crun containerd podman docker.io libseccomp-dev user-mode-linux procps util-linux bsdutils python3 strace zstd)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [[ ! -d node_modules/.bin ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
node --import tsx rootfs-fixtures/busybox.ts >/dev/null
# the pure cgroup v2 guest used by test/guest: install its packages and build its cache now, not inside a test
vm_run=../shared/tools/vm-run.sh
if [[ -x $vm_run && $(id -u) == 0 ]]; then VM_RUN_BACKEND=${VM_RUN_BACKEND:-uml} "$vm_run" --setup >/dev/null; fi
