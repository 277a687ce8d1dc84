#!/usr/bin/env bash
# lib.sh - small shell helpers the scripts and the shell suites share (source it).

# A TCP port on 127.0.0.1 that nothing answers on now, below Linux's ephemeral range (32768 and
# up), where no client socket holds a port unseen.
free_port() {
  local p
  while :; do
    p=$((10000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# The URL of database NAME on the cluster of URL BASE (postgres[ql]://[host]/DB[?params]: the
# path names the database; host, socket and user stay).
db_url_named() {
  printf '%s' "$1" | sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\\1$2#"
}
