#!/usr/bin/env bash
# Rebuild the portal's GOV.UK Frontend (static/govuk/) from portal.scss and the
# versions pinned in package-lock.json. Commit the results in static/govuk/.
set -euo pipefail
cd "$(dirname "$0")"

# No dependency needs an install script (sass's optional file watcher is unused).
npm ci --ignore-scripts --no-audit --no-fund

out=../static/govuk
dist=node_modules/govuk-frontend/dist/govuk
rm -rf "$out"
mkdir -p "$out"

npx sass --pkg-importer=node --no-error-css --no-source-map --style=compressed \
  portal.scss "$out/govuk-frontend.min.css"

# The ES module build; its map too, because the file names it in sourceMappingURL
# and Django's manifest storage fails collectstatic on a missing reference.
cp "$dist/govuk-frontend.min.js" "$dist/govuk-frontend.min.js.map" "$out/"

# GOV.UK's images (crown, crest, favicons, icons) and the GDS Transport fonts
# are GOV.UK branding: none is copied, and with no-govuk-images.scss the CSS
# references no asset (so there is no assets/ folder). Should a later version
# reference one, fail here rather than ship a broken url().
{ grep -o 'url([^)]*)' "$out/govuk-frontend.min.css" || true; } |
  sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' |
  while read -r ref; do
    [[ "$ref" == data:* ]] && continue
    [[ -f "$out/$ref" ]] || { echo "CSS references missing file: $ref" >&2; exit 1; }
  done

printf 'govuk-frontend %s\nsass %s\n' \
  "$(node -p 'require("./node_modules/govuk-frontend/package.json").version')" \
  "$(node -p 'require("./node_modules/sass/package.json").version')" > "$out/VERSION"

for banned in 'GDS Transport' '@font-face' crest '"/assets/' "'/assets/" 'url(/assets/'; do
  if grep -qF "$banned" "$out/govuk-frontend.min.css"; then
    echo "Compiled CSS still contains GOV.UK branding or root-absolute assets: $banned" >&2
    exit 1
  fi
done
echo "Built $out/govuk-frontend.min.css ($(wc -c < "$out/govuk-frontend.min.css") bytes)"
