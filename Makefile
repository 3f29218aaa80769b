# cointrail - convenience entry points. Everything real is in CMake.
#   make demo   install dependencies, build, ingest sample data, show results
#   make test   install dependencies, build (normal + ASan/UBSan), run all tests
#   make bench  throughput benchmarks (see bench/README.md)

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DEBS = cmake make gcc clang pkg-config libssl-dev libjansson-dev nettle-dev \
       libsqlite3-dev libxml2-dev libyaml-dev libbz2-dev zlib1g-dev libgraphviz-dev python3 \
       python3-bitcoinlib time bc libcurl4-openssl-dev
# node and npm (for the bitcoinjs-lib reference in tests/ref) may come from
# elsewhere than Debian (this machine image ships its own); install Debian's
# only when the commands are missing.

.PHONY: deps build asan test demo bench fuzz clean

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@if [ ! -d tests/ref/node_modules ] && [ -f tests/ref/package-lock.json ]; then \
	  (cd tests/ref && npm ci --no-audit --no-fund --loglevel=error); fi
	@if [ ! -d tests/eth/node_modules ] && [ -f tests/eth/package-lock.json ]; then \
	  (cd tests/eth && npm ci --no-audit --no-fund --loglevel=error); fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCT_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test: build asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
	$(MAKE) fuzz FUZZ_SECONDS=30

# Build the libFuzzer targets with clang and run each briefly on a copy of
# the saved corpus (new finds stay in build-fuzz/corpus, not in the repo).
FUZZ_SECONDS ?= 300
fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCT_FUZZ=ON -DCT_SANITIZE=ON -DCT_WITH_SYNTH=OFF
	cmake --build build-fuzz -j $(JOBS) --target fuzz_block fuzz_blkfile fuzz_transfers fuzz_trace_input \
	  fuzz_labels_sdn fuzz_labels_list fuzz_labels_tagpack fuzz_labels_csv fuzz_ethrpc
	@for t in fuzz_block fuzz_blkfile fuzz_transfers fuzz_trace_input fuzz_labels_sdn fuzz_labels_list fuzz_labels_tagpack \
	    fuzz_labels_csv fuzz_ethrpc; do \
	  src=fuzz/corpus/$$t; [ -d $$src ] || src=tests/labels/corpus/$$t; \
	  mkdir -p build-fuzz/corpus/$$t && cp -n $$src/* build-fuzz/corpus/$$t/ ; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	  build-fuzz/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=20000 \
	    build-fuzz/corpus/$$t > build-fuzz/$$t.log 2>&1; rc=$$?; \
	  tail -2 build-fuzz/$$t.log; [ $$rc -eq 0 ] || { echo "$$t found a crash"; exit 1; }; \
	done

demo: build
	@bash tools/demo.sh $(BUILD)/src/cli/cointrail

bench: build
	@bash bench/run.sh $(BUILD)/src/cli/cointrail

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz demo-data
