# subsetscan: thin wrappers around the Go tool and the subsetscan CLI.
GO       ?= go
REV      := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.revision=$(REV)
BIN      := bin/subsetscan
PKGS     := ./...

.PHONY: build test lint bench race fuzz

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/subsetscan

test:
	$(GO) test -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@if grep -rln --include='*.go' '"math/rand"$$' . ; then echo "math/rand (v1) is banned: use math/rand/v2 with an explicit seed"; exit 1; fi

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

race:
	$(GO) test -race ./scan/... ./runner/...
