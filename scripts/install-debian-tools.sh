#!/usr/bin/env bash
# Installs the Debian packages the circuit-export tests use (gcc, iverilog,
# berkeley-abc, yosys, nextpnr-ice40) and the documentation's browser test uses (chromium,
# chromium-driver) when any is missing and apt-get can run (as root, or
# with passwordless sudo). Never fails: without the tools those tests are
# skipped with a visible reason.
set -u
need=0
for cmd in cc iverilog berkeley-abc yosys nextpnr-ice40 chromium chromedriver; do command -v "$cmd" >/dev/null || need=1; done
[ "$need" = 1 ] || exit 0
if ! command -v apt-get >/dev/null; then
    echo "note: no apt-get; circuit tools or chromium missing, their tests will be skipped" >&2; exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "note: not root and no passwordless sudo; circuit tools or chromium missing, their tests will be skipped" >&2; exit 0
fi
{ $SUDO apt-get update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      gcc iverilog berkeley-abc yosys nextpnr-ice40 chromium chromium-driver; } </dev/null >/dev/null ||
    echo "warning: could not install the circuit tools or chromium; their tests will be skipped" >&2
exit 0
