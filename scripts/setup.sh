#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: system packages, the virtualenv, npm packages.
# Used by both README commands (scripts/run.sh and scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(bubblewrap redis-server libseccomp2 python3-venv gettext)
if [[ "${WITH_BROWSER:-0}" == 1 ]]; then APT_PACKAGES+=(chromium fonts-noto-cjk); fi
# The tests run their database-dependent part on a throwaway PostgreSQL as well (scripts/postgres.sh);
# the product itself needs no local server (SQLite by default, or DATABASE_URL).
if [[ "${WITH_POSTGRES:-0}" == 1 ]]; then APT_PACKAGES+=(postgresql); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
req_stamp=.venv/.requirements.sha
req_sum=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [[ ! -f $req_stamp || $(cat "$req_stamp") != "$req_sum" ]]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -r requirements-dev.txt
  echo "$req_sum" >"$req_stamp"
fi

if [[ -f package.json ]]; then
  lock_sum=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [[ ! -f node_modules/.stamp || $(cat node_modules/.stamp) != "$lock_sum" ]]; then
    echo "setup: installing npm packages"
    if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
    echo "$lock_sum" >node_modules/.stamp
  fi
  if [[ -f scripts/build_frontend.sh ]]; then bash scripts/build_frontend.sh; fi
fi
echo "setup: ready"
