# convstep: the two set-up commands of the README.
#   make run   install what is missing, build Release, open convstep on the default lesson
#              (without a display: render each phase's stage into ./convstep-out/)
#   make test  install what is missing, build, run the whole suite (and again under sanitizers)

BUILD      := build
ASAN_BUILD := build-asan
JOBS       ?= 2
LESSON     ?= assets/lessons/sobel-6x5.json

.PHONY: run test deps build test-release test-sanitize clean

deps:
	@bash scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCONVSTEP_WERROR=ON > /dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@./$(BUILD)/convstep $(LESSON)

test: test-release test-sanitize

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The core and the command line under AddressSanitizer + UndefinedBehaviorSanitizer.
# GL is left out: Mesa itself leaks at exit.
test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVSTEP_SANITIZE=ON \
	  -DCONVSTEP_GUI=OFF -DCONVSTEP_WERROR=ON > /dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
