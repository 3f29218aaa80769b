# cointrail - convenience entry points. Everything real is in CMake.
#   make demo   install dependencies, build, ingest sample data, show results
#   make test   install dependencies, build (normal + ASan/UBSan), run all tests
#   make bench  throughput benchmarks (see bench/README.md)

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DEBS = cmake make gcc clang pkg-config libssl-dev libjansson-dev python3 \
       python3-bitcoinlib nodejs npm

.PHONY: deps build asan test demo bench fuzz clean

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@if [ ! -d tests/ref/node_modules ] && [ -f tests/ref/package-lock.json ]; then \
	  (cd tests/ref && npm ci --no-audit --no-fund --loglevel=error); fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCT_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test: build asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

demo: build
	@bash tools/demo.sh $(BUILD)/src/cli/cointrail

bench: build
	@bash bench/run.sh $(BUILD)/src/cli/cointrail

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) demo-data
