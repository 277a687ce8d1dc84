# Makefile - builds build/popdeck, its unit and end-to-end tests and the local API doubles.
# `make run` and `make test` first install whatever is missing (scripts/deps.sh).
# `SAN=1` (or `make asan`, `make test-asan`) builds everything under build/asan with ASan+UBSan.
# `SAN=thread` (or `make tsan`) builds under build/tsan with ThreadSanitizer; `make tsan` runs the
# suites there and fails on any race report (suppressions, for system libraries only: test/tsan.supp).
# `make docker-check` builds the Dockerfile with buildah and runs the image (scripts/docker-check.sh).

PKGS := libmicrohttpd libsodium libpq libcurl jansson gdlib libpng libjpeg libwebp
SAN ?=
ifeq ($(SAN),1)
BUILD ?= build/asan
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SAN),thread)
BUILD ?= build/tsan
OPT := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
else
BUILD ?= build
OPT := -O2 -g
endif

CC ?= cc
PKG_CONFIG ?= pkg-config
# pkg-config runs once, and only when something is compiled, so `make deps` works on a bare machine.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $$(shell $(PKG_CONFIG) --libs $(PKGS)))$(PKG_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $$(shell $(PKG_CONFIG) --libs cmocka))$(CMOCKA_LIBS)
# Before the first compile, one line instead of a compiler error on jansson.h when libraries are
# missing (cmocka too when tests are asked for). Expanded only when an object is to be built.
LIB_CHECK := $(PKGS) $(if $(filter tests test test-asan asan tsan $(BUILD)/test_% $(BUILD)/e2e_%,$(MAKECMDGOALS)),cmocka)
MISSING_LIBS = $(foreach p,$(LIB_CHECK),$(if $(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo y),,$(p)))

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wno-unused-parameter
CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Ilib -Iserver -Itest/support $(PKG_CFLAGS) -MMD -MP
LDLIBS += $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(wildcard lib/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
SUPPORT_SRC := $(wildcard test/support/*.c)
UNIT_SRC := $(wildcard test/test_*.c)
E2E_SRC := $(wildcard test/e2e_*.c)
BENCH_SRC := $(wildcard test/bench_*.c)
DOUBLE_SRC := $(wildcard test/doubles/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/obj/%.o)
# Unit tests see PD_STATIC functions, so they get their own objects built with -DPD_UNITTEST.
UT_OBJ := $(LIB_SRC:%.c=$(BUILD)/ut/%.o) $(SERVER_SRC:%.c=$(BUILD)/ut/%.o)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:test/%.c=$(BUILD)/%)
E2E_BIN := $(E2E_SRC:test/%.c=$(BUILD)/%)
BENCH_BIN := $(BENCH_SRC:test/%.c=$(BUILD)/%)
DOUBLE_BIN := $(DOUBLE_SRC:test/doubles/%.c=$(BUILD)/double-%)

.PHONY: all tests deps run test test-asan asan tsan bench docker-check fmt clean check-libs fmt-check
# Test objects are intermediate files of the binaries: keep them, so the next build relinks
# instead of recompiling every suite.
.SECONDARY:
all: $(BUILD)/popdeck $(DOUBLE_BIN) $(BENCH_BIN)
tests: all $(UNIT_BIN) $(E2E_BIN)

check-libs:
	$(if $(strip $(MISSING_LIBS)),$(error missing libraries ($(strip $(MISSING_LIBS))): run `make deps` (or `make run`, which installs them)))

$(BUILD)/obj/%.o: %.c | check-libs
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/ut/%.o: %.c | check-libs
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DPD_UNITTEST -c -o $@ $<

$(BUILD)/libpd.a: $(LIB_OBJ)
	$(AR) rcs $@ $^
$(BUILD)/libpdserver.a: $(SERVER_OBJ)
	$(AR) rcs $@ $^
$(BUILD)/libpdut.a: $(UT_OBJ)
	$(AR) rcs $@ $^
$(BUILD)/libpdtest.a: $(SUPPORT_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/popdeck: $(BUILD)/obj/server/main.o $(BUILD)/libpdserver.a $(BUILD)/libpd.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/double-%: $(BUILD)/obj/test/doubles/%.o $(BUILD)/libpdtest.a $(BUILD)/libpd.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/test_%: $(BUILD)/obj/test/test_%.o $(BUILD)/libpdut.a
	$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)
$(BUILD)/bench_%: $(BUILD)/obj/test/bench_%.o $(BUILD)/libpdserver.a $(BUILD)/libpdtest.a $(BUILD)/libpd.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
# End-to-end suites may read the command table (server/commands.c) to send every name.
$(BUILD)/e2e_%: $(BUILD)/obj/test/e2e_%.o $(BUILD)/libpdtest.a $(BUILD)/libpdserver.a $(BUILD)/libpd.a
	$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh $(BUILD)

test: deps
	@$(MAKE) --no-print-directory tests
	@scripts/test.sh $(BUILD)

test-asan:
	@$(MAKE) --no-print-directory test SAN=1

asan:
	@$(MAKE) --no-print-directory tests SAN=1

# The pool, the follow-up workers and the fetch pool are threaded: the suites again under
# ThreadSanitizer.  Every report (from a suite, a server or a double, whose stderr goes to logs
# the suites delete) is written under build/tsan/reports and fails the run; halt_on_error makes
# the racing process stop there.  The suppressions name only uninstrumented system libraries.
TSAN_REPORTS := build/tsan/reports
tsan: deps
	@$(MAKE) --no-print-directory tests SAN=thread
	@rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$(CURDIR)/test/tsan.supp log_path=$(CURDIR)/$(TSAN_REPORTS)/tsan $(TSAN_OPTIONS)" \
	  scripts/test.sh build/tsan; rc=$$?; \
	  if [ -n "$$(ls $(TSAN_REPORTS))" ]; then cat $(TSAN_REPORTS)/*; \
	    echo "tsan: $$(ls $(TSAN_REPORTS) | wc -l) ThreadSanitizer report(s), kept in $(TSAN_REPORTS)"; exit 1; fi; \
	  exit $$rc

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh $(BUILD)

docker-check: deps
	@$(MAKE) --no-print-directory all
	@scripts/docker-check.sh $(BUILD)

FMT_SRC = $(wildcard lib/*.[ch] server/*.[ch] test/*.c test/*/*.[ch])
fmt:
	clang-format -i $(FMT_SRC)

# CI: the tree is as .clang-format lays it out (clang-format 14, Debian 12's).
fmt-check: deps
	@clang-format --dry-run --Werror $(FMT_SRC) && echo "fmt-check: $(words $(FMT_SRC)) files laid out as .clang-format says"

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
