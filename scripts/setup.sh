#!/usr/bin/env bash
# Prepares a machine that has only Python 3.11+ and apt: system packages, a virtual
# environment in .venv and the pinned Python packages. Safe to run again.
#   scripts/setup.sh          what the service needs
#   scripts/setup.sh --dev    plus what the tests need (Chromium, pytest, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fonts-noto-cjk)            # Chinese glyphs for the charts
lean=()
requirements=requirements.txt
if [[ "${1:-}" == "--dev" ]]; then
  packages+=(chromium poppler-utils) # browser tests drive Chromium; PDF tests read text with pdftotext
  # The notice's .docx is converted to PDF and read back (tests/notices). About 20 s and 250 MB on a
  # fresh machine with a nearby mirror; the pip cache and a kept image make later runs free.
  # Without recommends: no Java, no GUI.
  lean=(libreoffice-writer-nogui)
  requirements=requirements-dev.txt
fi

apt_install() {  # install the packages of "$@" (after the apt options) that are missing
  local options=() missing=()
  while [[ "${1:-}" == -* ]]; do options+=("$1"); shift; done
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${options[@]}" "${missing[@]}" >/dev/null
}
apt_install "${packages[@]}"
if ((${#lean[@]})); then apt_install --no-install-recommends "${lean[@]}"; fi


# The government document fonts (仿宋_GB2312, 方正小标宋简体 …) fall back to Noto Serif / Sans CJK SC
# where they are not installed, for LibreOffice and anything else that asks fontconfig.
fonts=/etc/fonts/conf.d/65-tracker-gb-fonts.conf
if ! cmp -s scripts/fonts-gb.conf "$fonts" 2>/dev/null; then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo install -m 644 scripts/fonts-gb.conf "$fonts" && fc-cache -f >/dev/null
fi

# Leaflet for the map pages, from the npm registry (see the script).
command -v npm >/dev/null || apt_install npm
scripts/vendor-leaflet.sh

python=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r "$requirements"
