# convstep: the two set-up commands of the README.
#   make run   install what is missing, build Release, open convstep on the default lesson
#              (without a display: render each phase's stage into ./convstep-out/)
#   make test  install what is missing, build, run the whole suite; build again with the app
#              under sanitizers and run it there; build the fuzz targets and run each for 20 s

BUILD      := build
ASAN_BUILD := build-asan
FUZZ_BUILD := build-fuzz
WEB_BUILD  := build-web
FUZZ_SECONDS ?= 20
JOBS       ?= 2
LESSON     ?= assets/lessons/sobel-6x5.json

.PHONY: run test deps build test-release test-sanitize test-fuzz web test-web clean

# New build folders use Ninja: it keeps both cores busy to the end of a clean build, where
# CMake's recursive Makefiles leave one idle now and then (issue 9). A folder configured before
# keeps the generator it was made with (cmake refuses to switch one).
generator = $(if $(wildcard $(1)/CMakeCache.txt),,-G Ninja)

deps:
	@bash scripts/install-deps

# The Release build is compiled for this machine's vector units (CONVSTEP_NATIVE); the
# sanitizer and fuzz builds stay portable and run the same tests on the portable code.
build: deps
	@cmake $(call generator,$(BUILD)) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCONVSTEP_WERROR=ON -DCONVSTEP_NATIVE=ON > /dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@./$(BUILD)/convstep $(LESSON)

test: test-release test-sanitize test-fuzz test-web

# The tests' fonts are cached in the build folder, never in the user's own cache.
test-release: build
	cd $(BUILD) && XDG_CACHE_HOME=$$PWD/test-cache ctest --output-on-failure -j$(JOBS)

# Everything, the app included, under AddressSanitizer + UndefinedBehaviorSanitizer: the app
# tests (tours, restore, the monkeys) run through tests/app/under_asan.sh, which keeps Mesa's
# own leaks out of the reports (tests/lsan.supp).
test-sanitize: deps
	@cmake $(call generator,$(ASAN_BUILD)) -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVSTEP_SANITIZE=ON \
	  -DCONVSTEP_GUI=ON -DCONVSTEP_WERROR=ON > /dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && XDG_CACHE_HOME=$$PWD/test-cache ctest --output-on-failure -j$(JOBS)

# libFuzzer targets (tests/fuzz), built with clang under ASan + UBSan, each run FUZZ_SECONDS.
test-fuzz: deps
	@CC=clang-14 CXX=clang++-14 cmake $(call generator,$(FUZZ_BUILD)) -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCONVSTEP_FUZZ=ON -DCONVSTEP_FUZZ_SECONDS=$(FUZZ_SECONDS) > /dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j$(JOBS)

# The browser build (issue 14): build-web/site/ is a static site (index.html, convstep.js,
# convstep.wasm, convstep.data) that any web host serves. Debian's emscripten needs Debian's node
# modules (NODE_PATH); its system libraries come prebuilt in its own cache.
web: deps
	@imgui=$$(bash scripts/install-web-deps) && \
	  NODE_PATH=/usr/share/nodejs emcmake cmake -S web -B $(WEB_BUILD) \
	    -DCONVSTEP_IMGUI_DIR="$$imgui" > /dev/null && \
	  NODE_PATH=/usr/share/nodejs cmake --build $(WEB_BUILD) -j$(JOBS)

# The page in headless Chromium: the stage drawn, the state the page shows, links and files.
test-web: web build
	bash tests/web/web_test.sh $(WEB_BUILD)/site $(BUILD)/convstep

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(WEB_BUILD)
