#!/bin/sh
# Bans the libc functions that have bitten C mail software before (see
# ../shared/STYLE.md "Buffers and strings"). Run by `make check`.
set -eu
cd "$(dirname "$0")/.."
banned='strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf|strncpy|strncat|alloca|system|popen'
# A call is the name followed by "(", not preceded by an identifier
# character (so snprintf and g_strlcpy are fine).
hits=$(grep -rnE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" src --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
  echo "checksrc: banned functions in src/:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "checksrc: no banned functions in src/"
