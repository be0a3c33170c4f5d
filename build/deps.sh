#!/usr/bin/env bash
# deps.sh installs the Debian packages mbotdraw needs: cgo headers for Ebiten 2.8
# (GLFW/X11/GL), Xvfb and Mesa's software GL to run window tests without a screen,
# and staticcheck for `make test`. It is idempotent: packages already present are
# not fetched again. It uses sudo only when not run as root.
set -euo pipefail

pkgs=(gcc libc6-dev pkg-config libgl1-mesa-dev libxcursor-dev libxi-dev libxinerama-dev
      libxrandr-dev libxxf86vm-dev xvfb xauth libgl1-mesa-dri)

# make test-dist: Wine runs the Windows programs (binutils-mingw makes the
# small stand-in DLL Wine 8 lacks), qemu-user the Raspberry Pi ones.
# Installed without their recommended extras (fonts, sound, Mono).
dist_pkgs=()
if [ "${MBOTDRAW_DIST_TOOLS:-1}" = 1 ]; then
  dist_pkgs=(wine64 binutils-mingw-w64-x86-64 qemu-user-static)
fi

# Optional extras: headless Chromium for the companion page's and the
# browser player's tests; Node runs the browser build's own tests (make wasmunit).
if [ "${MBOTDRAW_BROWSER:-1}" = 1 ]; then
  pkgs+=(chromium nodejs)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

dist_missing=()
for p in "${dist_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || dist_missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ] || [ ${#dist_missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "deps.sh: installing ${missing[*]} ${dist_missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ${#dist_missing[@]} -gt 0 ]; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${dist_missing[@]}" >/dev/null
  fi
fi

# staticcheck, pinned, into GOPATH/bin.
if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
  echo "deps.sh: installing staticcheck" >&2
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
