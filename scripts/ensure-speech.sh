#!/usr/bin/env bash
# espeak-ng reads a child's screen aloud on a tablet that has no voice of its own for the language
# (kinderwijkraad/speech.py). `make run` and `make test` install Debian's package when it is missing
# and we may; otherwise this says once that such tablets stay silent (tablets with a voice still speak).
set -u
command -v espeak-ng >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing espeak-ng for reading aloud (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq espeak-ng >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install espeak-ng."
fi
echo "NOTE: espeak-ng missing and not installable here (need root and apt-get): a tablet without a voice of its own cannot read aloud, and its tests will be skipped."
exit 0
