# clusterscribe — build, test, demo.
#   make demo   build everything, run the capabilities against a local control plane
#   make test   build the control plane binaries if missing, then every test and check

SHELL := /usr/bin/env bash
GO ?= go
CACHE_DIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/clusterscribe
TOOLS_DIR := $(CACHE_DIR)/tools
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(TOOLS_DIR)/golangci-lint-$(GOLANGCI_LINT_VERSION)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --verify -q HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/clusterscribe/clusterscribe/internal/version.Version=$(VERSION) \
	-X github.com/clusterscribe/clusterscribe/internal/version.Commit=$(COMMIT)
TESTBIN = $(shell hack/testbin.sh --dir)
GITEA_DIR = $(shell hack/gitea.sh --dir)
TEST_FLAGS ?= -race -timeout 30m

.PHONY: all build testbin test unit bench-smoke vet lint tidy-check demo demo-cluster bench clean

all: build

# As the release and the image build it: without cgo (the Go plugin loader
# kustomize links in would otherwise export every symbol: 20 MB of dynamic
# symbol tables, and methods the linker could not drop), and stripped.
build: ## Build the CLI into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o bin/clusterscribe ./cmd/clusterscribe

testbin: ## Build the control plane (kube-apiserver, etcd, controller-manager, scheduler, kubectl, kwok) once; print its directory
	@hack/testbin.sh

.PHONY: gitea
gitea: ## Build the Gitea server for the propose tests once; print its directory
	@hack/gitea.sh

.PHONY: helm
helm: ## Build Helm for the chart tests (helm lint, helm template) once; print its path
	@hack/helm.sh

.PHONY: chromium
chromium: ## Install headless Chromium (Debian package) for the HTML report test
	command -v chromium || (apt-get update && apt-get install -y chromium)

test: chromium testbin gitea helm vet lint tidy-check unit bench-smoke ## Every test and check

unit:
	KUBEBUILDER_ASSETS="$(TESTBIN)" CLUSTERSCRIBE_GITEA="$(GITEA_DIR)/gitea" $(GO) test $(TEST_FLAGS) ./...

# Every Go benchmark once (-benchtime 1x), in the packages that have any:
# a benchmark that no longer builds or fails shows up in make test. The
# numbers of a single iteration mean nothing; make bench measures.
BENCH_PKGS = $(shell grep -rl --include='*_test.go' '^func Benchmark' . | xargs -n1 dirname | sort -u)
bench-smoke: ## Run every Go benchmark once
	KUBEBUILDER_ASSETS="$(TESTBIN)" $(GO) test -run '^$$' -bench . -benchtime 1x $(BENCH_PKGS)

vet:
	$(GO) vet ./...

$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR)/bin-tmp $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS_DIR)/bin-tmp/golangci-lint $@ && rmdir $(TOOLS_DIR)/bin-tmp

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

tidy-check:
	$(GO) mod tidy -diff

demo: build testbin ## Run every capability against a local control plane
	KUBEBUILDER_ASSETS="$(TESTBIN)" $(GO) run ./hack/demo -cli bin/clusterscribe -out demo-output

demo-cluster: build testbin ## Keep a local control plane running; print its kubeconfig
	KUBEBUILDER_ASSETS="$(TESTBIN)" $(GO) run ./hack/demo -cli bin/clusterscribe -out demo-output -keep

N ?= 10000
BENCH_CHURN ?= 5m
bench: build testbin ## Measure at scale on a seeded local control plane; writes BENCHMARKS.md and benchmarks.json
	KUBEBUILDER_ASSETS="$(TESTBIN)" $(GO) run ./hack/bench -cli bin/clusterscribe -n $(N) -churn $(BENCH_CHURN)

clean:
	rm -rf bin demo-output bench-output
