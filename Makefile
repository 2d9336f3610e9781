# InferMargin: build, test and benchmark targets. `make test` is what CI runs.
GO ?= go
PKGS := ./...

.PHONY: build test test-short bench lint fuzz demo clean

build:
	$(GO) build -o bin/infermargin ./cmd/infermargin

test: lint
	$(GO) test -race -count=1 $(PKGS)

# test-short skips the slow end-to-end paths, for a quick local loop.
test-short:
	$(GO) test -short -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) $(PKGS)

# fuzz runs every Fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

demo:
	$(GO) run ./cmd/infermargin demo

clean:
	rm -rf bin

BENCHTIME ?= 1s
FUZZTIME ?= 30s
