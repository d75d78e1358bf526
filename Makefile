# LiveDeck. `make demo` runs the product; `make test` runs every test.
GO       ?= go
BIN      := bin/livedeck
GOFLAGS  ?=

.PHONY: all build console demo test test-go test-console test-connectors lint deps fuzz bench clean vulncheck

all: build

deps:
	@scripts/deps.sh

console: deps
	@if [ -f console/package.json ]; then cd console && npm run build; else echo "console: no package.json yet, serving the placeholder"; fi

build: console
	$(GO) build -o $(BIN) ./cmd/livedeck

# ADDR chooses the listen address (make demo ADDR=0.0.0.0:9090); so does
# LIVEDECK_ADDR, which the binary reads itself.
ADDR ?=
demo: build
	$(BIN) demo $(if $(ADDR),--addr $(ADDR))

# staticcheck is pinned and fetched through the module proxy on first use.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) run $(STATICCHECK) ./...

test-console: deps
	@if [ -f console/package.json ]; then cd console && npm run typecheck && npm test; fi

# The TikTok LIVE forwarder's tests (node's built-in runner, recorded events).
test-connectors: deps
	cd connectors/tiktok-forwarder && npm test

# Every test: formatting, vet, the console's unit tests and build, the
# connectors' Node tests, then all Go
# tests with the race detector (real redis-server, Redis Cluster, headless
# Chromium end-to-end, promtool), fuzz seed corpora included.
test: lint test-console test-connectors console
	$(GO) test -race -count=1 -timeout 20m ./...
	@scripts/vulncheck.sh

# govulncheck against a pinned vulnerability database snapshot; any finding
# not explained in scripts/vulncheck-explained.txt fails.
vulncheck:
	@scripts/vulncheck.sh

# Longer fuzzing of every fuzz target in the repository, one after another,
# FUZZTIME each with FUZZPARALLEL workers (not part of `make test`, which
# replays every seed corpus in testdata/fuzz). New findings are written to
# the package's testdata/fuzz/<FuzzName>/: commit them with the fix.
# -timeout 0: the default 10m test timeout would end a 10m run as a failure.
FUZZTIME     ?= 60s
FUZZPARALLEL ?= 1
fuzz:
	@set -e; for dir in $$(git grep -l '^func Fuzz' -- '*_test.go' | xargs -n1 dirname | sort -u); do \
		for t in $$($(GO) test -list '^Fuzz' ./$$dir | grep '^Fuzz'); do \
			echo "== ./$$dir $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -timeout 0 -parallel $(FUZZPARALLEL) ./$$dir; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin console/dist/assets console/dist/app.html
