#!/usr/bin/env bash
# Copies @auth0/auth0-spa-js, at the exact version package-lock.json pins,
# from the npm registry into public/vendor/. The copy is committed: the page
# loads nothing from a CDN, Netlify publishes public/ without a JavaScript
# build, and the tests run offline. Run it again after changing the version
# in package.json; package web's tests check that the copy matches the pin.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
src=node_modules/@auth0/auth0-spa-js
mkdir -p public/vendor
cp "$src/dist/auth0-spa-js.production.esm.js" "$src/dist/auth0-spa-js.production.esm.js.map" public/vendor/
cp "$src/LICENSE" public/vendor/auth0-spa-js.LICENSE.txt
echo "vendored @auth0/auth0-spa-js $(node -p "require('./$src/package.json').version")"
