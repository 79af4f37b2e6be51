# fazhi: the two commands are `make run` and `make test` (see README.md).
# This Makefile wraps CMake + Ninja and the UI build (npm ci + vite build).

BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA       ?= data
LISTEN     ?= 127.0.0.1:8080
UI_SRC     := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/vite.config.js ui/package.json
# Node.js for the UI build and the tests: scripts/install-deps.sh puts a Node.js 20 here when the
# machine's is older than the UI build needs (Debian 12 ships 18).
export PATH := $(CURDIR)/.tools/node/bin:$(PATH)

.PHONY: all deps ui build asan run test clean

all: build

deps:
	@bash scripts/install-deps.sh

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error

ui/dist/index.html: ui/node_modules/.package-lock.json $(UI_SRC)
	cd ui && npm run build --silent
	@touch ui/dist/index.html

ui: ui/dist/index.html

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: ui $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON

asan: ui $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

run: deps build
	@bash scripts/run.sh $(BUILD)/fazhi $(DATA) $(LISTEN)

test: deps build asan
	@bash scripts/test.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) ui/dist
