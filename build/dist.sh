#!/usr/bin/env bash
# dist.sh builds the release archives into dist/ (`make dist`):
#   mbotdraw-VERSION-windows-amd64.zip     mbotdraw.exe (no console window), mbotdraw-headless.exe
#   mbotdraw-VERSION-linux-amd64.tar.gz    mbotdraw (the window; cgo), mbotdraw-headless
#   mbotdraw-VERSION-linux-arm64.tar.gz    mbotdraw-headless (Raspberry Pi OS 64-bit)
#   mbotdraw-VERSION-linux-armv7.tar.gz    mbotdraw-headless (Raspberry Pi OS 32-bit)
# each with README.md, GETTING-STARTED.txt, the demo drawing, the licences of
# everything linked in (LICENSES.txt) and SHA256SUMS (and on Linux the udev
# rule for the 2.4G dongle); DIST_OUT (default dist) is where they go; dist/SHA256SUMS sums
# the archives. Two runs on the same commit give the same bytes: -trimpath,
# no build id, no VCS stamp, and archives with sorted entries and the
# commit's time.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=$(git rev-parse HEAD 2>/dev/null || echo "")
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
OUT=${DIST_OUT:-dist}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

LDFLAGS="-s -w -buildid= -X mbotdraw/version.tag=$VERSION -X mbotdraw/version.commit=$COMMIT"
export GOFLAGS="-trimpath -buildvcs=false"
export SOURCE_DATE_EPOCH=$EPOCH

rm -rf "$OUT"
mkdir -p "$OUT"
"$GO" build -o "$STAGE/pack" ./build/pack

# build GOOS GOARCH GOARM CGO DIR NAME PKG [EXTRA_LDFLAGS]
build() {
  local goos=$1 goarch=$2 goarm=$3 cgo=$4 dir=$5 name=$6 pkg=$7 extra=${8:-}
  env GOOS="$goos" GOARCH="$goarch" GOARM="$goarm" CGO_ENABLED="$cgo" \
    "$GO" build -ldflags "$LDFLAGS $extra" -o "$dir/$name" "$pkg"
}

# licenses GOOS GOARCH CGO PKG... writes the licence texts of Go and of every
# module linked into the programs for that platform.
licenses() {
  local goos=$1 goarch=$2 cgo=$3
  shift 3
  local root
  root=$("$GO" env GOROOT)
  echo "Licences of the software linked into these programs"
  echo "(mbotdraw itself is described in README.md)."
  echo
  echo "The demo drawing is made of doodles from the Quick, Draw! dataset by Google,"
  echo "CC BY 4.0, https://github.com/googlecreativelab/quickdraw-dataset"
  echo
  echo "================================================================"
  echo "Go standard library and runtime ($("$GO" env GOVERSION))"
  echo "================================================================"
  cat "$root/LICENSE"
  [ -f "$root/PATENTS" ] && { echo; cat "$root/PATENTS"; }
  env GOOS="$goos" GOARCH="$goarch" CGO_ENABLED="$cgo" "$GO" list -deps \
      -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' "$@" |
    sort -u | while read -r mod ver dir; do
      local found=0
      echo
      echo "================================================================"
      echo "$mod $ver"
      echo "================================================================"
      for f in "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/COPYING* "$dir"/NOTICE* "$dir"/PATENTS*; do
        [ -f "$f" ] || continue
        found=1
        cat "$f"
        echo
      done
      if [ $found = 0 ]; then
        echo "dist.sh: no licence file in $mod $ver ($dir)" >&2
        exit 1
      fi
    done
}

# archive NAME EXT GOOS GOARCH CGO PKGS... packs $STAGE/NAME (binaries already
# there) with the documents and sums.
archive() {
  local name=$1 ext=$2 goos=$3 goarch=$4 cgo=$5
  shift 5
  local dir=$STAGE/$name
  cp README.md "$dir/README.md"
  cp assets/demo.mbd.json "$dir/demo.mbd.json"
  if [ "$goos" = windows ]; then
    sed 's/$/\r/' build/GETTING-STARTED.txt > "$dir/GETTING-STARTED.txt"
  else
    cp build/GETTING-STARTED.txt "$dir/GETTING-STARTED.txt"
    cp build/99-mbot-dongle.rules "$dir/99-mbot-dongle.rules"
  fi
  licenses "$goos" "$goarch" "$cgo" "$@" > "$dir/LICENSES.txt"
  (cd "$dir" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
  "$STAGE/pack" -time "$EPOCH" -o "$OUT/$name.$ext" "$dir"
}

P=mbotdraw-$VERSION

d=$STAGE/$P-windows-amd64
build windows amd64 "" 0 "$d" mbotdraw.exe . "-H windowsgui"
build windows amd64 "" 0 "$d" mbotdraw-headless.exe ./cmd/mbotdraw-headless
archive "$P-windows-amd64" zip windows amd64 0 . ./cmd/mbotdraw-headless

d=$STAGE/$P-linux-amd64
build linux amd64 "" 1 "$d" mbotdraw .
build linux amd64 "" 0 "$d" mbotdraw-headless ./cmd/mbotdraw-headless
archive "$P-linux-amd64" tar.gz linux amd64 1 . ./cmd/mbotdraw-headless

# The Raspberry Pi: the headless program only. Its window would need cgo
# with arm64/armhf builds of the X11 and GL libraries (Debian multiarch
# -dev packages and a cross gcc): see README.
d=$STAGE/$P-linux-arm64
build linux arm64 "" 0 "$d" mbotdraw-headless ./cmd/mbotdraw-headless
archive "$P-linux-arm64" tar.gz linux arm64 0 ./cmd/mbotdraw-headless

d=$STAGE/$P-linux-armv7
build linux arm 7 0 "$d" mbotdraw-headless ./cmd/mbotdraw-headless
archive "$P-linux-armv7" tar.gz linux arm 0 ./cmd/mbotdraw-headless

(cd "$OUT" && sha256sum -- *.zip *.tar.gz > SHA256SUMS)
ls -l "$OUT"
