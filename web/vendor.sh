#!/usr/bin/env bash
# Copies @auth0/auth0-spa-js, at the exact version package-lock.json pins,
# from the npm registry into public/vendor/. The copy is committed: the page
# loads nothing from a CDN, Netlify publishes public/ without a JavaScript
# build, and the tests run offline. Run it again after changing the version
# in package.json; it records the copy in vendor.json, and package web's
# tests check the copy against that record and the record against the lockfile.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
src=node_modules/@auth0/auth0-spa-js
mkdir -p public/vendor
cp "$src/dist/auth0-spa-js.production.esm.js" "$src/dist/auth0-spa-js.production.esm.js.map" public/vendor/
cp "$src/LICENSE" public/vendor/auth0-spa-js.LICENSE.txt
# Record what was copied: the tarball's integrity from package-lock.json
# (which npm ci checked the download against) beside the sha256 of each
# copied file, so a test can tell an edited or stale copy from the pin.
node - <<'JS'
const fs = require("fs"), crypto = require("crypto");
const lock = require("./package-lock.json").packages["node_modules/@auth0/auth0-spa-js"];
const files = {};
for (const f of fs.readdirSync("public/vendor").sort()) {
  const sum = crypto.createHash("sha256").update(fs.readFileSync("public/vendor/" + f)).digest("base64");
  files[f] = "sha256-" + sum;
}
const out = { package: "@auth0/auth0-spa-js", version: lock.version, integrity: lock.integrity, files };
fs.writeFileSync("vendor.json", JSON.stringify(out, null, 2) + "\n");
JS
echo "vendored @auth0/auth0-spa-js $(node -p "require('./$src/package.json').version")"
