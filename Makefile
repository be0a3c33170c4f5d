# mbotdraw — make run opens the window on the embedded demo; make test runs every check.
GO        ?= go
BIN       := bin
GOBIN     := $(shell $(GO) env GOPATH)/bin
XVFB      := xvfb-run -a -s "-screen 0 1280x1024x24"
# Packages that may import Ebiten; they need an X server (Xvfb in tests).
WINDOW_PKGS := ./app/window/... ./canvas/gpu/...

.PHONY: all deps wasm wasmunit build run test vet lint unit window bench dist test-dist icon

all: build

deps:
	@bash build/deps.sh

# The player in the browser (js/wasm), built into both programs by go:embed
# from assets/player/web (see assets/player): serve and bridge --serve-player
# need it there when the programs are built.
PLAYER_WEB := assets/player/web
wasm:
	@mkdir -p $(BIN)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(BIN)/mbotdraw.wasm .
	gzip -9 -n -c $(BIN)/mbotdraw.wasm > $(BIN)/mbotdraw.wasm.gz
	mv $(BIN)/mbotdraw.wasm.gz $(PLAYER_WEB)/mbotdraw.wasm.gz
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" $(PLAYER_WEB)/wasm_exec.js
	@echo "wasm: $$(wc -c < $(BIN)/mbotdraw.wasm) bytes, $$(wc -c < $(PLAYER_WEB)/mbotdraw.wasm.gz) gzipped"

# The browser-only code's own tests, run under Node (Go's go_js_wasm_exec).
wasmunit:
	GOOS=js GOARCH=wasm $(GO) test -exec="$$($(GO) env GOROOT)/lib/wasm/go_js_wasm_exec" -run Browser ./robot/link

build: deps wasm
	$(GO) build -o $(BIN)/mbotdraw .
	$(GO) build -o $(BIN)/mbotdraw-headless ./cmd/mbotdraw-headless

# Opens the window on the embedded demo. Without a display it runs under Xvfb,
# plays the demo once and saves a screenshot in bin/screenshot.png.
run: build
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
		./$(BIN)/mbotdraw $(ARGS); \
	else \
		echo "No display: running under Xvfb for 10 s, screenshot in $(BIN)/screenshot.png"; \
		$(XVFB) ./$(BIN)/mbotdraw --frames 600 --screenshot $(BIN)/screenshot.png $(ARGS); \
	fi

vet:
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

# Everything but the window packages runs with no display at all: that keeps the
# rule that only app/window and canvas/gpu may import Ebiten.
unit:
	env -u DISPLAY -u WAYLAND_DISPLAY $(GO) test -timeout 15m $$($(GO) list ./... | grep -v -e /app/window -e /canvas/gpu)

window:
	$(XVFB) $(GO) test -p 1 -timeout 15m $(WINDOW_PKGS)

test: deps wasm vet unit wasmunit window

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Release archives for Windows, Linux and the Raspberry Pi in dist/ (see
# build/dist.sh); VERSION=v1.2.3 names them, else git describe does. The
# programs in them carry the browser player (make wasm), so serve works from a download.
dist: deps wasm
	@bash build/dist.sh

# Builds the archives twice (the second time into bin/dist-again) and wants
# the same bytes, then checks them: contents and checksums, the Windows
# programs under Wine, the Raspberry Pi ones under qemu-user.
test-dist: dist
	@DIST_OUT=$(BIN)/dist-again bash build/dist.sh >/dev/null
	@cmp dist/SHA256SUMS $(BIN)/dist-again/SHA256SUMS && echo "test-dist: two builds of the archives are byte-identical"
	@rm -rf $(BIN)/dist-again
	$(GO) test -tags distcheck -count=1 -timeout 25m -v ./build/distcheck

# Remakes the Windows resources (icon, manifest, version info) from
# assets/icon.png with go-winres: go install github.com/tc-hib/go-winres@v0.3.3
icon:
	$(GOBIN)/go-winres simply --arch amd64 --manifest gui --icon assets/icon.png --product-name mbotdraw \
		--file-description "mbotdraw: draw with the mBot" --original-filename mbotdraw.exe --out rsrc
	cd cmd/mbotdraw-headless && $(GOBIN)/go-winres simply --arch amd64 --manifest cli --icon ../../assets/icon.png \
		--product-name mbotdraw --file-description "mbotdraw without a window" --original-filename mbotdraw-headless.exe --out rsrc
