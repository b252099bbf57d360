#!/usr/bin/env bash
# Prepares a machine that has only Python 3.11+ and apt: system packages, a virtual
# environment in .venv and the pinned Python packages. Safe to run again.
#   scripts/setup.sh          what the service needs
#   scripts/setup.sh --dev    plus what the tests need (Chromium, pytest, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fonts-noto-cjk)            # Chinese glyphs for the charts
requirements=requirements.txt
if [[ "${1:-}" == "--dev" ]]; then
  packages+=(chromium poppler-utils) # browser tests drive Chromium; PDF tests read text with pdftotext
  requirements=requirements-dev.txt
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r "$requirements"
