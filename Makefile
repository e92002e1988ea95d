# sms_export: a SQLite extension that reads an SMS export REST API as a table.
#
#   make            build build/sms_export.so (.dylib on macOS) and the API emulator
#   make deps       install the Debian packages make test needs (root), or print the command
#   make deps-build only those the build and make demo need
#   make test       build, start the emulator, run every test: a line per test file, then
#                   "N passed, N failed" (one test: bash sql-tests/run.sh WORD; docs/hacking.md)
#   make demo       start the emulator with sample data and run a few reports against it
#   make install    copy the library to $(DESTDIR)$(PREFIX)/lib
#   make dist       the release files in dist/: a tarball, a Python wheel, an npm package and
#                   a Debian package, all of the VERSION file's version (ext/dist.sh)
#   make clean

VERSION := $(shell cat VERSION)
PREFIX  ?= /usr/local
BUILD   := build

ifeq ($(shell uname -s),Darwin)
  SO := dylib
  SHARED := -dynamiclib
else
  SO := so
  SHARED := -shared
endif

CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CFLAGS_EXT := $(OPT) $(WARN) -std=gnu11 -fPIC -fvisibility=hidden \
              -DSMS_EXPORT_VERSION='"$(VERSION)"' $(EXTRA_CFLAGS)
CFLAGS_EMU := $(OPT) $(WARN) -std=gnu11 $(EXTRA_CFLAGS)
LIBS_EXT   := -lcurl -lcjson -lpthread -lm -ldl $(EXTRA_LDFLAGS)
LIBS_EMU   := -lmicrohttpd -lcjson -lz -lpthread $(EXTRA_LDFLAGS)

# Debian packages, in two sets, each with files whose presence says it is installed. To build
# and run (make, make demo): the compiler, the headers, the sqlite3 shell.
BUILD_PACKAGES := gcc make libc6-dev pkg-config libsqlite3-dev sqlite3 libcurl4-openssl-dev \
                  libcjson-dev libmicrohttpd-dev zlib1g-dev
BUILD_FILES    := /usr/bin/gcc /usr/include/sqlite3ext.h /usr/bin/sqlite3 /usr/bin/curl-config \
                  /usr/include/cjson/cJSON.h /usr/include/microhttpd.h /usr/include/zlib.h
# On top, to test (make test): g++ (the Node host), curl and python3 for tests, valgrind and
# clang (libFuzzer, ThreadSanitizer) for the memory-safety tests, sqlite-utils as a host; for
# `make dist` and its tests dpkg-dev (dpkg-shlibdeps), lintian, python3-venv and python3-pip
# (a fresh venv the wheel is installed into); openssl (a throwaway CA) and tinyproxy (a
# CONNECT proxy) for the TLS and proxy tests; python3-apsw, a host for Pythons whose sqlite3
# cannot load extensions.
TEST_PACKAGES  := g++ curl python3 valgrind clang libclang-rt-14-dev sqlite-utils dpkg-dev \
                  binutils lintian python3-venv python3-pip openssl tinyproxy python3-apsw
TEST_FILES     := /usr/bin/g++ /usr/bin/python3 /usr/bin/curl /usr/bin/valgrind /usr/bin/clang \
                  /usr/bin/sqlite-utils \
                  /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a \
                  /usr/bin/dpkg-shlibdeps /usr/bin/strip /usr/bin/lintian \
                  /usr/lib/python3.11/ensurepip/__init__.py /usr/share/python-wheels \
                  /usr/bin/openssl /usr/bin/tinyproxy /usr/lib/python3/dist-packages/apsw/__init__.cpython-311-x86_64-linux-gnu.so
# The benchmark also plots, and serves pre-rendered pages with nginx (the static-server line).
BENCH_PACKAGES := gnuplot-nox nginx-light

EXT_SRC  := $(wildcard ext/*.c)
EXT_OBJ  := $(patsubst ext/%.c,$(BUILD)/obj/%.o,$(EXT_SRC))
# The layers below the tables use no SQLite API, so unit tests and fuzzers link them alone.
SQLITE_OBJ := $(addprefix $(BUILD)/obj/,sms_export.o sms_vtab.o sms_requests.o sms_cache_table.o)
CORE_OBJ := $(filter-out $(SQLITE_OBJ),$(EXT_OBJ))
EMU_SRC  := $(wildcard sql-tests/emulator/*.c)
UNIT_SRC := $(wildcard sql-tests/unit/test_*.c)
UNIT_BIN := $(patsubst sql-tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))

LIB := $(BUILD)/sms_export.$(SO)
EMU := $(BUILD)/sms-emulator

.PHONY: all deps deps-build test demo bench install dist clean format
all: $(LIB) $(EMU) $(UNIT_BIN)

# need_packages WHAT,FILES,PACKAGES: nothing when every file is there; else, as root, install
# the packages; else print the apt-get line and stop.
define need_packages
	@missing=""; for f in $(2); do [ -e $$f ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "$(1): installing $(3)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(3) >/dev/null; \
	  else \
	    echo "$(1): missing packages; run:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y $(3)"; exit 1; \
	  fi; \
	fi
endef

deps-build:
	$(call need_packages,deps-build,$(BUILD_FILES),$(BUILD_PACKAGES))

deps: deps-build
	$(call need_packages,deps,$(TEST_FILES),$(TEST_PACKAGES))

$(BUILD)/obj/%.o: ext/%.c $(wildcard ext/*.h) VERSION | $(BUILD)/obj
	$(CC) $(CFLAGS_EXT) -c $< -o $@

$(LIB): $(EXT_OBJ)
	$(CC) $(SHARED) -o $@ $(EXT_OBJ) $(LIBS_EXT)

$(EMU): $(EMU_SRC) $(wildcard sql-tests/emulator/*.h) | $(BUILD)
	$(CC) $(CFLAGS_EMU) -o $@ $(EMU_SRC) $(LIBS_EMU)

$(BUILD)/unit/%: sql-tests/unit/%.c $(wildcard sql-tests/unit/*.h) $(CORE_OBJ) $(wildcard ext/*.h) | $(BUILD)/unit
	$(CC) $(CFLAGS_EMU) -Iext -o $@ $< $(CORE_OBJ) $(LIBS_EXT)

$(BUILD) $(BUILD)/obj $(BUILD)/unit:
	mkdir -p $@

test: deps
	@$(MAKE) --no-print-directory all
	@bash sql-tests/run.sh

bench: deps
	@{ command -v gnuplot && command -v nginx; } >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES) >/dev/null; } || echo "bench: install $(BENCH_PACKAGES) for the plot and the static-server line"
	@$(MAKE) --no-print-directory all
	@bash sql-tests/bench/run.sh

demo: deps-build
	@$(MAKE) --no-print-directory all
	@bash sql-tests/demo.sh

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib
	install -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/

# The release files, from the library `make` built (docs/hosts.md, "Packages").
dist: $(LIB)
	@bash ext/dist.sh $(LIB) $(VERSION) dist

format:
	clang-format -i ext/*.c ext/*.h sql-tests/emulator/*.c sql-tests/emulator/*.h \
	  sql-tests/unit/*.c sql-tests/unit/*.h sql-tests/fuzz/*.c sql-tests/fuzz/*.h sql-tests/bench/*.c

clean:
	rm -rf $(BUILD) dist
