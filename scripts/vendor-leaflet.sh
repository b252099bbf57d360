#!/usr/bin/env bash
# Vendors the map's browser library: Leaflet and Leaflet.markercluster from the npm registry at pinned
# versions, checked against the registry's integrity hashes, into static/vendor/leaflet/ (git-ignored; the
# pages never load it from another site). Without it the map pages list the projects instead.
# Run by scripts/setup.sh; does nothing when the stamp says these versions are in already.
set -euo pipefail
cd "$(dirname "$0")/.."

vendor=static/vendor/leaflet
leaflet=(
  "leaflet@1.9.4 sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
  "leaflet.markercluster@1.5.3 sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA=="
)
if [[ "$(cat "$vendor/VERSIONS" 2>/dev/null)" != "$(printf '%s\n' "${leaflet[@]}")" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for entry in "${leaflet[@]}"; do
    read -r spec integrity <<<"$entry"
    (cd "$work" && npm pack --silent --json "$spec" >"$work/pack.json")
    grep -q "\"integrity\": \"$integrity\"" "$work/pack.json" || { echo "npm pack $spec: unexpected integrity" >&2; exit 1; }
    mkdir -p "$work/${spec%@*}" && tar -xzf "$work/${spec%@*}-${spec#*@}.tgz" -C "$work/${spec%@*}"
  done
  rm -rf "$vendor.new" && mkdir -p "$vendor.new/images"
  cp "$work"/leaflet/package/dist/{leaflet.js,leaflet.css} "$work"/leaflet/package/LICENSE "$vendor.new/"
  cp "$work"/leaflet/package/dist/images/*.png "$vendor.new/images/"
  cp "$work"/leaflet.markercluster/package/dist/{leaflet.markercluster.js,MarkerCluster.css,MarkerCluster.Default.css} "$vendor.new/"
  cp "$work"/leaflet.markercluster/package/MIT-LICENCE.txt "$vendor.new/LICENSE.markercluster"
  printf '%s\n' "${leaflet[@]}" >"$vendor.new/VERSIONS"
  rm -rf "$vendor" && mv "$vendor.new" "$vendor"
  echo "vendored $(tr '\n' ' ' <"$vendor/VERSIONS" | sed 's/ sha512-[^ ]*//g')into $vendor"
fi

