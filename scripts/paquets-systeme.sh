#!/usr/bin/env bash
# Debian packages the tests need (browser tests, PDF rendering). Installed when missing and when we can (root + apt);
# otherwise the missing ones are named and the tests that need them will fail, never skip.
set -euo pipefail
manquants=()
[[ -x /usr/bin/chromium ]] || manquants+=(chromium)
command -v pdftotext >/dev/null || manquants+=(poppler-utils)
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || manquants+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || manquants+=(libharfbuzz-subset0)
command -v wrk >/dev/null || manquants+=(wrk)  # load tests of make bench and tests/bench (issue 8)
((${#manquants[@]})) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installation des paquets système : ${manquants[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${manquants[@]}" >/dev/null
else
  echo "Paquets système manquants (à installer avec apt-get) : ${manquants[*]}" >&2
fi
