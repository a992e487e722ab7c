#!/usr/bin/env bash
# check_layers.sh — fails if a module includes something its layer may not depend on (STYLE G1:
# crdt <- proto <- storage <- server) or includes a file by a relative path (STYLE G2).
set -euo pipefail
cd "$(dirname "$0")/.."

status=0

# includes <dir>: every #include line of the C++ files under <dir>, as file:line:text.
includes() {
  [[ -d $1 ]] || return 0
  grep -rnE --include='*.hpp' --include='*.cpp' --include='*.h' --include='*.cc' \
    '^[[:space:]]*#[[:space:]]*include' "$1" || true
}

# forbid <dir> <what> <regex>: fails if a file under <dir> includes a path matching <regex>.
forbid() {
  local hits
  hits=$(includes "$1" | grep -E "#[[:space:]]*include[[:space:]]*[<\"]($3)") || true
  if [[ -n $hits ]]; then
    echo "layer violation: $1/ must not include $2:"
    echo "$hits"
    status=1
  fi
}

# crdt depends on the standard library only (and tl::expected).
forbid crdt "other modules or third-party libraries" \
  'proto/|storage/|server/|bench/|tests/|fuzz/|boost/|msgpack|rocksdb/|google/protobuf/|[^">]*\.pb\.h|nlohmann/'
# proto depends on crdt, msgpack and protobuf.
forbid proto "storage, server, RocksDB or Boost" 'storage/|server/|bench/|tests/|fuzz/|rocksdb/|boost/'
# storage depends on proto and RocksDB.
forbid storage "server or Boost" 'server/|bench/|tests/|fuzz/|boost/'
# tools (weft-replay) sit on storage and the trace reader of bench/; never on the server.
forbid tools "server, tests or fuzz" 'server/|tests/|fuzz/|boost/'
# server sits on storage, proto and crdt (and Boost); never on tests, tools or the client.
forbid server "tests, fuzz, bench, tools or client" 'tests/|fuzz/|bench/|tools/|client/'
# client (the C++ client library) speaks the protocol; it never sees the server or the store.
forbid client "server, storage or RocksDB" 'server/|storage/|tests/|fuzz/|bench/|tools/|rocksdb/'
# Includes are rooted at the repository: "crdt/rga.hpp", never "../crdt/rga.hpp" or "rga.hpp".
for dir in crdt proto storage server client tools bench tests fuzz; do
  forbid "$dir" "unrooted paths (write \"module/file.hpp\")" '\.\.?/|[^/<>"]*"'
done

if ((status == 0)); then echo "layers: ok"; fi
exit "$status"
