#!/usr/bin/env bash
# Installs the Debian packages the browser, PDF, proxy and speech tests use (Chromium, fonts, poppler,
# nginx, espeak-ng) when they are missing and we may install them; otherwise says once why those tests
# will be skipped.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)  # deploy/nginx.conf is tested
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)  # reading aloud (scripts/ensure-speech.sh)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the browser tests (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install ${missing[*]}."
fi
echo "NOTE: ${missing[*]} missing and not installable here (need root and apt-get): browser tests will be skipped."
exit 0
