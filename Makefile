# strata: one GNU Makefile with pkg-config.
#
#   make              build ./strata, libstrata.a and libstrata.so (release)
#   make demo         install what is missing, build, apply examples/journal
#                     to a SQLite file and print status
#   make check        install what is missing, build with ASan+UBSan, run
#                     every test (unit, CLI on SQLite, PostgreSQL, MariaDB)
#   make check-long   the longer reliability tier
#   make analyze      gcc -fanalyzer and cppcheck over src/ (make check runs both)
#   make install      PREFIX=/usr/local DESTDIR=
#   make deb          strata_VERSION_ARCH.deb, with dpkg-deb
#   make fuzz         run each libFuzzer target for FUZZ_SECONDS
#   make bench        the benchmark against the peers (bench/RESULTS.md)
#   make bench-fleet  strata on fleets of databases (bench/FLEET.md)
#   make format       clang-format every C file

PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
# where each shell looks for completions shipped with a package
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETION_DIR  ?= $(PREFIX)/share/zsh/vendor-completions
FISH_COMPLETION_DIR ?= $(PREFIX)/share/fish/vendor_completions.d
CC         ?= cc
PKG_CONFIG ?= pkg-config
FUZZ_SECONDS ?= 30

# V=1 shows every command.
ifeq ($(V),1)
Q =
else
Q = @
endif

STD      = -std=c11 -D_XOPEN_SOURCE=700
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wold-style-definition -Wvla \
	   -Wwrite-strings -Wformat=2
CFLAGS  ?= -O2 -g
SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

# The databases strata knows, one NAME=PACKAGE word each: the driver is
# src/drivers/NAME.c with the other src/drivers/NAME_*.c files, and
# PACKAGE the pkg-config name of its client library. A driver is built
# when its library is found (its headers: the library itself is linked
# when it is in PKGS, else loaded with dlopen on first use), and left
# out otherwise. A new database is one word here (docs/DRIVERS.md).
DRIVERS := sqlite=sqlite3 postgres=libpq mysql=libmariadb

drv_name = $(firstword $(subst =, ,$(1)))
drv_pkg  = $(lastword $(subst =, ,$(1)))
upper    = $(shell echo '$(1)' | tr 'a-z.-' 'A-Z__')
DRV_NAMES  := $(foreach d,$(DRIVERS),$(call drv_name,$(d)))
DRV_BUILT  := $(foreach d,$(DRIVERS),$(if $(shell $(PKG_CONFIG) --exists $(call drv_pkg,$(d)) && \
	test -f src/drivers/$(call drv_name,$(d)).c && echo y),$(call drv_name,$(d))))
DRV_PKGS   := $(foreach d,$(DRIVERS),$(if $(filter $(call drv_name,$(d)),$(DRV_BUILT)),$(call drv_pkg,$(d))))
# -DSTRATA_HAVE_POSTGRES=1 (or 0), for the tests that call a driver
DRV_DEFS   := $(foreach n,$(DRV_NAMES),-DSTRATA_HAVE_$(call upper,$(n))=$(if $(filter $(n),$(DRV_BUILT)),1,0))
# Statement splitters: each src/drivers/split_NAME.c defines
# strata__split_NAME (split_common.c holds what they share).
SPLITTERS  := $(filter-out common,$(patsubst src/drivers/split_%.c,%,$(wildcard src/drivers/split_*.c)))

# Linked: SQLite, jansson, inih, zlib (Flyway's CRC32, for adopt). Loaded at run time, on first use, with
# dlopen (src/util/dl.h), so that a command that does not need them does not
# pay for mapping them: libpq and libmariadb (when a driver connects),
# libpg_query (no .pc file; it splits PostgreSQL statements, and lint reads
# its parse tree) and libcrypto
# (checksums). Only their headers are needed to build.
PKGS     = sqlite3 jansson inih zlib
DRV_DL_PKGS := $(filter-out $(PKGS),$(DRV_PKGS))
DL_PKGS  = libcrypto $(DRV_DL_PKGS)
# dlopen and pthreads are in glibc's libc since 2.34 (Debian 12); older
# systems: make DL_LIBS="-ldl -lpthread".
DL_LIBS ?=

DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DL_PKGS))
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS)) $(DL_LIBS)

# The file each loader opens: the SONAME of the library found here (through
# pkg-config's libdir, else the compiler's search path), else $(2). And the
# Debian package that has it (libpq.so.5: libpq5; libcrypto is in libssl3).
soname_of = $(or $(shell f=$$($(PKG_CONFIG) --variable=libdir $(1) 2>/dev/null)/$(1).so; \
	[ -f "$$f" ] || f=$$($(CC) -print-file-name=$(1).so 2>/dev/null); \
	[ -f "$$f" ] && { objdump -p "$$f" || readelf -d "$$f"; } 2>/dev/null | \
	sed -n -e 's/^ *SONAME *\(lib[^ ]*\)$$/\1/p' \
	       -e 's/.*Library soname: \[\(lib[^]]*\)\]$$/\1/p' | head -n 1),$(2))
deb_package = $(subst libcrypto,libssl,$(subst _,-,$(subst .so.,,$(1))))
# -DSTRATA_LIBPQ_SONAME="libpq.so.5" -DSTRATA_LIBPQ_PACKAGE="libpq5", for
# each library loaded at run time; a loader has its own default for a
# library whose SONAME is not found here.
dl_define = $(if $(2),-DSTRATA_$(call upper,$(1))_SONAME=\"$(2)\" \
	    -DSTRATA_$(call upper,$(1))_PACKAGE=\"$(call deb_package,$(2))\")
SONAME_PG_QUERY := $(call soname_of,libpg_query,libpg_query.so.1504.0)
SONAME_CRYPTO   := $(call soname_of,libcrypto,libcrypto.so.3)
DL_CFLAGS := $(foreach p,$(DRV_DL_PKGS),$(call dl_define,$(p),$(call soname_of,$(p),))) \
	     $(call dl_define,libpg_query,$(SONAME_PG_QUERY)) \
	     $(call dl_define,libcrypto,$(SONAME_CRYPTO))

# src/util/banned.h: sprintf, strcpy and the like do not compile.
BANNED   = -include src/util/banned.h

# build/gen/strata_drivers.h: the drivers and splitters, as an X-macro
# list (src/lib/driver.c, src/drivers/split.h), written from DRIVERS.
GEN = build/gen
DRIVERS_H = $(GEN)/strata_drivers.h

ALL_CFLAGS = $(STD) $(WARN) $(BANNED) -Iinclude -Isrc -I$(GEN) $(DEP_CFLAGS) \
	     $(DRV_DEFS) $(DL_CFLAGS) -fvisibility=hidden -fPIC $(CFLAGS)

UTIL_SRC   = $(wildcard src/util/*.c)
LIB_SRC    = $(wildcard src/lib/*.c)
DRV_SRC    = $(wildcard src/drivers/split_*.c) \
	     src/drivers/pgquery_load.c src/drivers/tool.c src/drivers/catalog.c \
	     $(wildcard src/drivers/restore_*.c) \
	     $(foreach n,$(DRV_BUILT),src/drivers/$(n).c $(wildcard src/drivers/$(n)_*.c))
CLI_SRC    = $(wildcard src/cli/*.c)
LIBSTRATA_SRC = $(UTIL_SRC) $(LIB_SRC) $(DRV_SRC)

UNIT_SRC   = $(wildcard tests/unit/test_*.c)

# The version, from include/strata/common.h; the shared library's SONAME
# carries its major number (libstrata.so.0), the file its full version.
VERSION := $(shell sed -n 's/^\#define STRATA_VERSION *"\(.*\)"/\1/p' include/strata/common.h)
VERSION_MAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME  = libstrata.so.$(VERSION_MAJOR)
SHLIB   = libstrata.so.$(VERSION)

# Two build trees: release (build/rel) and sanitizer (build/san).
REL = build/rel
SAN_DIR = build/san

rel_obj = $(patsubst %.c,$(REL)/%.o,$(1))
san_obj = $(patsubst %.c,$(SAN_DIR)/%.o,$(1))

.PHONY: FORCE all deb demo demo-run check check-run check-long install uninstall \
	fuzz bench bench-fleet format format-check clean deps-build deps-test \
	analyze analyze-gcc analyze-cppcheck
.DEFAULT_GOAL := all

all: strata libstrata.a $(SHLIB)

# Rebuild everything when the flags change (a driver appears, CFLAGS=...).
$(REL)/.flags $(SAN_DIR)/.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(ALL_CFLAGS) $(CC)' | cmp -s - $@ || echo '$(ALL_CFLAGS) $(CC)' > $@
FORCE:

# Written again only when it changes; what includes it depends on it
# through the compiler's .d files.
$(DRIVERS_H): FORCE
	@mkdir -p $(dir $@)
	@{ echo '/* Written by the Makefile from DRIVERS and src/drivers/split_*.c. */'; \
	  $(foreach n,$(DRV_NAMES),echo 'STRATA_DRIVER$(if $(filter $(n),$(DRV_BUILT)),,_ABSENT)($(n))';) \
	  $(foreach n,$(SPLITTERS),echo 'STRATA_SPLITTER($(n))';) } >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(REL)/%.o: %.c $(REL)/.flags | $(DRIVERS_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(SAN_DIR)/%.o: %.c $(SAN_DIR)/.flags | $(DRIVERS_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC san  $<")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -g $(SAN) -DSTRATA_TEST_BUILD=1 -MMD -MP -c $< -o $@

libstrata.a: $(call rel_obj,$(LIBSTRATA_SRC))
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# The shared library exports the STRATA_EXTERN declarations of
# include/strata (and nothing else: the version script hides whatever
# -fvisibility=hidden let through), under one version node, STRATA_<major>.
# The symbol list is written from the headers, so that a new public call
# is exported by declaring it.
PUBLIC_H = $(wildcard include/strata/*.h include/strata/sys/*.h)
SYMS_MAP = $(GEN)/libstrata.map
$(SYMS_MAP): $(PUBLIC_H)
	@mkdir -p $(dir $@)
	@{ echo '/* Written by the Makefile from the STRATA_EXTERN declarations. */'; \
	  echo 'STRATA_$(VERSION_MAJOR) {'; echo 'global:'; \
	  cat $(PUBLIC_H) | tr '\n' ' ' | grep -o 'STRATA_EXTERN([^)]*) *strata_[a-z0-9_]*' | \
		sed 's/.* \(strata_[a-z0-9_]*\)$$/	\1;/' | sort -u; \
	  echo 'local:'; echo '	*;'; echo '};'; } >$@.tmp && mv $@.tmp $@

$(SHLIB): $(call rel_obj,$(LIBSTRATA_SRC)) $(SYMS_MAP)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(SYMS_MAP) -Wl,--no-undefined -Wl,-z,relro,-z,now \
		-o $@ $(call rel_obj,$(LIBSTRATA_SRC)) $(DEP_LIBS)
	$(Q)ln -sf $(SHLIB) $(SONAME)
	$(Q)ln -sf $(SONAME) libstrata.so

strata: $(call rel_obj,$(CLI_SRC)) libstrata.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(call rel_obj,$(CLI_SRC)) libstrata.a $(DEP_LIBS)

$(SAN_DIR)/libstrata.a: $(call san_obj,$(LIBSTRATA_SRC))
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(SAN_DIR)/strata: $(call san_obj,$(CLI_SRC)) $(SAN_DIR)/libstrata.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $(call san_obj,$(CLI_SRC)) $(SAN_DIR)/libstrata.a $(DEP_LIBS)

# Unit tests see the library's internals (static lib, -Isrc).
$(SAN_DIR)/tests/unit/%: tests/unit/%.c $(SAN_DIR)/libstrata.a | $(DRIVERS_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -g $(SAN) -o $@ $< $(SAN_DIR)/libstrata.a $(DEP_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

UNIT_BIN = $(patsubst tests/unit/%.c,$(SAN_DIR)/tests/unit/%,$(UNIT_SRC))

# The driver contract suite (tests/driver/contract.c): built as the unit
# tests are, run by tests/run.sh once per database with its server.
$(SAN_DIR)/tests/driver/%: tests/driver/%.c $(SAN_DIR)/libstrata.a | $(DRIVERS_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -g $(SAN) -o $@ $< $(SAN_DIR)/libstrata.a $(DEP_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)
DRIVER_BIN = $(SAN_DIR)/tests/driver/contract

# The corpus replayer: each fuzz target linked with a main() that runs the
# corpus once, so gcc builds replay what the fuzzer found. fuzz_split
# compares the splitter with libpg_query's scanner: linked here.
FUZZ_LIBS = -lpg_query
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
$(SAN_DIR)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(SAN_DIR)/libstrata.a | $(DRIVERS_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 -g $(SAN) -o $@ $< tests/fuzz/replay.c $(SAN_DIR)/libstrata.a $(DEP_LIBS) $(FUZZ_LIBS)
REPLAY_BIN = $(patsubst tests/fuzz/%.c,$(SAN_DIR)/tests/fuzz/%,$(FUZZ_SRC))

# Static analysis (make check runs both, through tests/run.sh). gcc's
# -fanalyzer compiles every C file of src/, tests/unit and tests/fuzz with
# the warning flags and -Werror into build/analyze (objects only, nothing
# linked; a file is analysed again when it or a header it includes
# changes). cppcheck reads src/ with the same defines. A finding that is
# not a bug is restructured away, or suppressed in place with a one-line
# reason: /* cppcheck-suppress id */, or a #pragma GCC diagnostic for the
# analyzer (src/cli/config_read.c). Always gcc: clang has no -fanalyzer.
ANALYZE_CC  ?= gcc
ANALYZE_JOBS ?= 2
ANALYZE_DIR  = build/analyze
ANALYZE_SRC  = $(LIBSTRATA_SRC) $(CLI_SRC) $(UNIT_SRC) $(FUZZ_SRC) tests/fuzz/replay.c
ANALYZE_OBJ  = $(patsubst %.c,$(ANALYZE_DIR)/%.o,$(ANALYZE_SRC))
ANALYZE_DEFS = -D_XOPEN_SOURCE=700 $(DRV_DEFS) $(DL_CFLAGS)

$(ANALYZE_DIR)/.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(ALL_CFLAGS) $(ANALYZE_CC)' | cmp -s - $@ || echo '$(ALL_CFLAGS) $(ANALYZE_CC)' > $@

$(ANALYZE_DIR)/%.o: %.c $(ANALYZE_DIR)/.flags | $(DRIVERS_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  ANALYZE $<")
	$(Q)$(ANALYZE_CC) $(ALL_CFLAGS) -fanalyzer -MMD -MP -c $< -o $@

analyze: analyze-gcc analyze-cppcheck

analyze-gcc: $(ANALYZE_OBJ)

analyze-cppcheck: $(DRIVERS_H)
	@mkdir -p $(ANALYZE_DIR)/cppcheck
	@$(if $(Q),echo "  CPPCHECK src/")
	$(Q)cppcheck -q --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--std=c11 -I include -I src -I $(GEN) $(ANALYZE_DEFS) \
		--cppcheck-build-dir=$(ANALYZE_DIR)/cppcheck \
		-j $(ANALYZE_JOBS) $(LIBSTRATA_SRC) $(CLI_SRC)

deps-build:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

demo: deps-build
	@$(MAKE) --no-print-directory demo-run

demo-run: strata
	@rm -f demo/journal.db && mkdir -p demo
	./strata --database sqlite:demo/journal.db --dir examples/journal up
	./strata --database sqlite:demo/journal.db --dir examples/journal status

check: deps-test
	@$(MAKE) --no-print-directory check-run

check-run: $(SAN_DIR)/strata $(UNIT_BIN) $(DRIVER_BIN) $(REPLAY_BIN)
	@STRATA_BIN=$(CURDIR)/$(SAN_DIR)/strata STRATA_BUILD=$(CURDIR)/$(SAN_DIR) \
		tests/run.sh

check-long: deps-test
	@$(MAKE) --no-print-directory $(SAN_DIR)/strata strata
	@STRATA_BIN=$(CURDIR)/$(SAN_DIR)/strata STRATA_BUILD=$(CURDIR)/$(SAN_DIR) \
		STRATA_LONG=1 tests/run.sh

install: strata libstrata.a $(SHLIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/strata/sys $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 strata $(DESTDIR)$(PREFIX)/bin/strata
	install -m 0644 libstrata.a $(DESTDIR)$(LIBDIR)/libstrata.a
	install -m 0755 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SHLIB)
	ln -sf $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libstrata.so
	install -m 0644 include/strata/*.h $(DESTDIR)$(PREFIX)/include/strata/
	install -m 0644 include/strata/sys/*.h $(DESTDIR)$(PREFIX)/include/strata/sys/
	install -m 0644 docs/strata.1 $(DESTDIR)$(PREFIX)/share/man/man1/strata.1
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR) $(DESTDIR)$(ZSH_COMPLETION_DIR) \
		$(DESTDIR)$(FISH_COMPLETION_DIR)
	install -m 0644 completions/strata.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/strata
	install -m 0644 completions/_strata $(DESTDIR)$(ZSH_COMPLETION_DIR)/_strata
	install -m 0644 completions/strata.fish $(DESTDIR)$(FISH_COMPLETION_DIR)/strata.fish
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))|g' \
		-e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES@|$(PKGS)|g' -e 's|@LIBS@|$(strip $(DL_LIBS))|g' \
		strata.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/strata.pc

# One Debian package, strata_VERSION_ARCH.deb in DEB_DIR, made with
# dpkg-deb from `make install` with PREFIX=/usr into build/deb/root (the
# libraries in the multiarch folder). Depends names the packages of the
# linked libraries and of those loaded with dlopen (scripts/mkdeb.sh).
DEB_DIR ?= .
DEB_MULTIARCH = $(shell $(CC) -print-multiarch)
DEB_DL_PACKAGES = $(foreach p,$(DRV_DL_PKGS),$(call deb_package,$(call soname_of,$(p),))) \
	$(call deb_package,$(SONAME_PG_QUERY)) $(call deb_package,$(SONAME_CRYPTO))
deb: strata libstrata.a $(SHLIB)
	$(Q)rm -rf build/deb
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/build/deb/root PREFIX=/usr \
		LIBDIR=/usr/lib/$(DEB_MULTIARCH) >/dev/null
	$(Q)scripts/mkdeb.sh build/deb/root $(VERSION) $(DEB_DIR) $(DEB_DL_PACKAGES)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/strata $(DESTDIR)$(LIBDIR)/libstrata.a \
		$(DESTDIR)$(LIBDIR)/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libstrata.so \
		$(DESTDIR)$(PREFIX)/include/strata.h $(DESTDIR)$(LIBDIR)/pkgconfig/strata.pc \
		$(DESTDIR)$(PREFIX)/share/man/man1/strata.1 \
		$(DESTDIR)$(BASH_COMPLETION_DIR)/strata $(DESTDIR)$(ZSH_COMPLETION_DIR)/_strata \
		$(DESTDIR)$(FISH_COMPLETION_DIR)/strata.fish
	rm -rf $(DESTDIR)$(PREFIX)/include/strata

FUZZ_CFLAGS = $(STD) $(BANNED) -Iinclude -Isrc -I$(GEN) $(DEP_CFLAGS) $(DRV_DEFS) \
	      $(DL_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined
fuzz: $(DRIVERS_H)
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang $(FUZZ_CFLAGS) -o build/fuzz/$$n $$f $(LIBSTRATA_SRC) $(DEP_LIBS) $(FUZZ_LIBS) || exit 1; \
		c=tests/fuzz/corpus/$${n#fuzz_}; mkdir -p $$c; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $$c 2>&1 | \
			grep -E 'Done|ERROR|crash-' || exit 1; \
	done

# Installs what is missing (packages as root; dbmate from npm, sql-migrate from Debian
# inside bench/run.sh), builds the release ./strata, starts and stops PostgreSQL (and
# MariaDB, for the large seed file). Knobs: BENCH_N, BENCH_RUNS, BENCH_SCALE_N, BENCH_DBS,
# BENCH_SEED_MB (see bench/README.md).
bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory strata
	@bench/run.sh

# Fleets: up over 100 PostgreSQL databases, status over 1000 SQLite files, the cost per
# database against a libpq floor (bench/fleet.sh writes bench/FLEET.md).
bench-fleet:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory strata
	@bench/fleet.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build strata libstrata.a libstrata.so libstrata.so.* demo

# the compiler's dependency files (not build/deb's vendor_completions.d)
-include $(shell find build -name '*.d' -type f 2>/dev/null)
