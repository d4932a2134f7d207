#!/usr/bin/env bash
# One-time setup on a fresh machine: the Debian packages the tests use (Java 17 for DynamoDB
# Local, Chromium for the browser test, poppler-utils for the benchmark's reference tool), then the
# locked npm dependencies, then the CLI bundle. Safe to re-run: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need_apt+=(fonts-noto-cjk)
command -v qpdf >/dev/null 2>&1 || need_apt+=(qpdf)
if [ ${#need_apt[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${need_apt[*]} (apt)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}") >/tmp/budgetlens-apt.log 2>&1 \
    || echo "setup: could not install ${need_apt[*]} (see /tmp/budgetlens-apt.log); tests that need them will skip" >&2
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
