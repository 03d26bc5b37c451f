# subsetscan: thin wrappers around the Go tool and the subsetscan CLI.
GO        ?= go
REV       := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X main.revision=$(REV)
BIN       := bin/subsetscan
PKGS      := ./...
# The authors' published artefacts (models, adversarial images).
ARTIFACTS ?= ../shared/reference
FUZZTIME  ?= 30s

.PHONY: build test lint bench bench-cli race fuzz reproduce reproduce-authors reproduce-all verify models

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/subsetscan

# The default experiment (ae-mnist): the published per-layer AUC table of the
# MNIST protocol, regenerated with this project's own models and attacks.
reproduce: build
	$(BIN) run
	@echo "report: results/ae-mnist/report.md"

# The exact reproduction from the authors' artefacts (ARTIFACTS).
reproduce-authors: build
	$(BIN) run -artifacts $(ARTIFACTS) ae-mnist-authors
	@echo "report: results/ae-mnist-authors/report.md"

# Every shipped config but those that need user-supplied data (-data DIR).
reproduce-all: build
	$(BIN) run -artifacts $(ARTIFACTS) $$($(BIN) list | grep -v '^ ' | grep -v 'needs -data' | cut -d' ' -f1)

# Exit 1 when a reproduced number leaves its published tolerance.
verify: build
	$(BIN) verify -artifacts $(ARTIFACTS) -out $${TMPDIR:-/tmp}/subsetscan-verify ae-mnist-authors

# The project's own trained models, configs/models/*.npz, regenerated from fixed
# seeds (the same weights bit for bit for any number of workers, on the same
# CPU architecture). About 80 CPU-minutes: 7 for the autoencoder, 13 for the
# classifier, 2.5 each for the classifiers of digits 0-5 (kind ood), balanced
# and skewed (the lightest ink quartile thinned to 5 %), 10 for ds-fsdd and 12
# for lv-fsdd on FSDD at FSDD=DIR (else fetched into the user's cache), 25 for
# the GAN, 4 for the StarGAN editor and 5 for nn/fake's detectors of generated
# digits (they train on the GANs' output, so they come last); run niced.
models: build
	nice -n 19 $(BIN) train -arch autoencoder -epochs 6 -batch 32 -seed 1 -o configs/models/autoencoder.npz
	nice -n 19 $(BIN) train -arch classifier -epochs 4 -seed 1 -o configs/models/classifier.npz
	nice -n 19 $(BIN) train -arch classifier6 -digits 0,1,2,3,4,5 -epochs 3 -seed 1 -o configs/models/classifier-known0-5.npz
	nice -n 19 $(BIN) train -arch classifier6 -digits 0,1,2,3,4,5 -ink-groups 4 -thin-group 1 -thin-keep 0.05 -epochs 3 -seed 1 -o configs/models/classifier-known0-5-skewed.npz
	nice -n 19 $(BIN) train-asr -arch ds-fsdd $(if $(FSDD),-data $(FSDD)) -epochs 40 -lr 0.002 -seed 1 -o configs/models/ds-fsdd.npz
	nice -n 19 $(BIN) train-asr -arch lv-fsdd $(if $(FSDD),-data $(FSDD)) -epochs 20 -lr 0.002 -seed 1 -o configs/models/lv-fsdd.npz
	nice -n 19 $(BIN) train-gan -epochs 4 -batch 64 -seed 1 -g configs/models/gan_g.npz -d configs/models/gan_d.npz
	nice -n 19 $(BIN) train-stargan -train-n 16000 -epochs 1 -batch 32 -seed 1 -g configs/models/stargan_g.npz -d configs/models/stargan_d.npz
	nice -n 19 $(BIN) train-fake -arch fake-resnet -epochs 4 -seed 1 -o configs/models/fake-resnet.npz
	nice -n 19 $(BIN) train-fake -arch fake-squeezenet -epochs 4 -seed 1 -o configs/models/fake-squeezenet.npz
	nice -n 19 $(BIN) train-fake -arch autogan-sim -epochs 3 -seed 1 -o configs/models/autogan-sim.npz
	nice -n 19 $(BIN) train-fake -arch autogan-cls -epochs 3 -seed 1 -o configs/models/autogan-cls.npz

test:
	$(GO) test -count=1 -timeout 30m $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@if grep -rln --include='*.go' '"math/rand"$$' . ; then echo "math/rand (v1) is banned: use math/rand/v2 with an explicit seed"; exit 1; fi

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

# The whole process, timed as a user runs it (wall, CPU, peak memory) on
# inputs written by internal/benchgen; needs GNU time (Debian package time).
bench-cli: build
	scripts/bench-cli.sh $(BIN)

# The whole cached run of audio-fsdd as a user runs it, three runs
# (BenchmarkAudioRun; issue 9: 60 s wall on 2 cores), on the shared FSDD
# copy (../shared/datasets, or $SUBSETSCAN_DATASETS) and the committed
# attack sets; compare its CPU time (cpu-s/op) on a busy machine.
.PHONY: bench-audio
bench-audio:
	$(GO) test -run='^$$' -bench=BenchmarkAudioRun -benchtime=1x -count=3 ./cmd/subsetscan/

race:
	$(GO) test -race ./scan/... ./runner/...

fuzz:
	$(GO) test ./data -run '^$$' -fuzz FuzzDecodeNPY -fuzztime $(FUZZTIME)
	$(GO) test ./data -run '^$$' -fuzz FuzzDecodeIDX -fuzztime $(FUZZTIME)
	$(GO) test ./scan -run '^$$' -fuzz FuzzScan -fuzztime $(FUZZTIME)
	$(GO) test ./cmd/subsetscan -run '^$$' -fuzz FuzzScanNPY -fuzztime $(FUZZTIME)
	$(GO) test ./experiments -run '^$$' -fuzz FuzzConfig -fuzztime $(FUZZTIME)
	$(GO) test ./data/fsdd -run '^$$' -fuzz FuzzDecodeWAV -fuzztime $(FUZZTIME)
