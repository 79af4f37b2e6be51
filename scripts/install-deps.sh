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

# Node.js: the UI build (vite 8, rolldown) needs Node.js >= 20.19; Debian 12's nodejs is 18.
# When the node on PATH is older, take Node.js's own build from the npm registry (package
# node-linux-<arch>, the binary the `node` package installs) into .tools/node, which the
# Makefile puts first on PATH. Debian's npm runs with it.
NODE_VERSION=20.20.2
node_ok() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
export PATH="$PWD/.tools/node/bin:$PATH"
if ! node_ok node; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "install-deps: Node.js >= 20.19 is needed for the UI build; install it for $(uname -m)" >&2; exit 1 ;;
  esac
  echo "install-deps: Node.js $(node --version 2>/dev/null || echo missing) is too old for the UI build; installing Node.js $NODE_VERSION into .tools/node"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" > /dev/null)
  rm -rf .tools/node && mkdir -p .tools/node
  tar xzf "$tmp"/node-linux-"$arch"-"$NODE_VERSION".tgz --strip-components=1 -C .tools/node
  rm -rf "$tmp"
  hash -r # bash remembered the old node's path
  node_ok node || { echo "install-deps: Node.js in .tools/node does not run" >&2; exit 1; }
fi

# UI packages: npm ci when the lockfile is newer than the installed tree.
if [ -f ui/package-lock.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci in ui/"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "install-deps: ok"
