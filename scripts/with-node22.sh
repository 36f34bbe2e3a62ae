#!/usr/bin/env bash
# Runs a Node script on Node >= 22, the Node that Electron 45 embeds. When the
# system Node is older, a Node 22 binary is taken from the npm registry (the
# node-<os>-<arch> packages ship it) into .cache/node22 once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want=22
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -ge "$want" ]; then
  exec node "$@"
fi
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=win ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
prefix="$root/.cache/node22"
bin="$prefix/node_modules/node-$os-$arch/bin/node"
if [ ! -x "$bin" ]; then
  echo "with-node22: system Node is $(node --version 2>/dev/null || echo missing); installing node-$os-$arch@$want from npm into .cache/node22" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --ignore-scripts "node-$os-$arch@$want" >&2
fi
export PATH="$(dirname "$bin"):$PATH"
exec "$bin" "$@"
