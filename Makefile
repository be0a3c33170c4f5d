# mbotdraw — make run opens the window on the embedded demo; make test runs every check.
GO        ?= go
BIN       := bin
GOBIN     := $(shell $(GO) env GOPATH)/bin
XVFB      := xvfb-run -a -s "-screen 0 1280x1024x24"
# Packages that may import Ebiten; they need an X server (Xvfb in tests).
WINDOW_PKGS := ./app/window/... ./canvas/gpu/...

.PHONY: all deps build run test vet lint unit window bench

all: build

deps:
	@bash build/deps.sh

build: deps
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

test: deps vet unit window

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
