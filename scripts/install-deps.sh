#!/usr/bin/env bash
# Installs what fazhi needs to build, run and test on Debian 12 (bookworm).
# Idempotent: checks each Debian package with dpkg and installs only what is missing,
# then installs the UI's npm packages when ui/node_modules is out of date.
# Uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libssl-dev openssl
  libsodium-dev libcmocka-dev zlib1g-dev libxlsxwriter-dev libzip-dev libexpat1-dev
  libpq-dev postgresql-15 postgresql-client-15
  nodejs npm chromium fonts-wqy-microhei
  curl wrk nginx-light
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node may come from elsewhere (nodesource, nvm); only ask apt when no node/npm is on PATH.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
clean=()
for p in "${missing[@]}"; do [ -n "$p" ] && clean+=("$p"); done

if [ "${#clean[@]}" -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${clean[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${clean[@]}"
fi

# UI packages: npm ci when the lockfile is newer than the installed tree.
if [ -f ui/package-lock.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci in ui/"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "install-deps: ok"
