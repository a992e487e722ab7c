#!/usr/bin/env bash
# check_layers.sh — fails if a module includes something its layer may not depend on (STYLE G1:
# crdt <- proto <- storage <- server) or includes a file by a relative path (STYLE G2).
set -euo pipefail
cd "$(dirname "$0")/.."

status=0

# includes <dir>: every #include line of the C++ files under <dir>, as file:line:text.
includes() {
  [[ -e $1 ]] || return 0
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
  'testkit/|proto/|storage/|server/|bench/|tests/|fuzz/|boost/|msgpack|rocksdb/|hiredis/|zlib\.h|google/protobuf/|[^">]*\.pb\.h|nlohmann/'
# proto depends on crdt, msgpack and protobuf.
forbid proto "storage, server, RocksDB, hiredis or Boost" 'testkit/|storage/|server/|bench/|tests/|fuzz/|rocksdb/|hiredis/|boost/'
# storage depends on proto, RocksDB, hiredis and zlib (hiredis only in redis_pool.cpp: no hiredis type
# leaves it).
forbid storage "server or Boost" 'testkit/|server/|bench/|tests/|fuzz/|boost/'
hiredis_hits=$(includes storage | grep -E '#[[:space:]]*include[[:space:]]*<hiredis/' |
  grep -v '^storage/redis_pool\.cpp:') || true
if [[ -n $hiredis_hits ]]; then
  echo "layer violation: only storage/redis_pool.cpp may include hiredis:"
  echo "$hiredis_hits"
  status=1
fi
# history (history read back: text at a version, timeline, blame, diff, the cache) sits on storage,
# proto and crdt only, so the server and the tools can both use it.
forbid history "server, tools or Boost" 'testkit/|server/|tools/|bench/|tests/|fuzz/|client/|boost/'
# tools (weft-replay) sit on storage and the trace reader of bench/; never on the server.
forbid tools "server, tests or fuzz" 'testkit/|server/|tests/|fuzz/|boost/'
# server sits on storage, proto and crdt (and Boost); never on tests, tools or the client.
forbid server "tests, fuzz, bench, tools, client or hiredis (it sees Redis through storage)" \
  'testkit/|tests/|fuzz/|bench/|tools/|client/|hiredis/'
# The server's wings depend one way (server/CMakeLists.txt, docs/ARCHITECTURE.md):
#   transport -> api, connections -> documents -> base;  auth -> base.
# The protocol core (connections, documents) and base include neither Beast nor OpenSSL.
beast_or_tls='boost/beast|boost/asio/ssl|openssl/|jwt/'
forbid server/base "other server wings, Asio, Beast or OpenSSL" \
  "server/(auth|documents|connections|api|transport)/|boost/asio|$beast_or_tls"
forbid server/auth "the protocol core, the API or the transport" \
  'server/(documents|connections|api|transport)/|boost/beast'
forbid server/documents "connections, the API, the transport, auth, Beast or OpenSSL" \
  "server/(auth|connections|api|transport)/|$beast_or_tls"
forbid server/connections "the API, the transport, auth, Beast or OpenSSL" \
  "server/(auth|api|transport)/|$beast_or_tls"
forbid server/api "connections, the transport or auth" 'server/(auth|connections|transport)/'
forbid server/transport "auth (it asks base's TokenVerifier) or the options" \
  'server/auth/|server/server_options'
# The protocol core's unit tests link only the core (tests/server/CMakeLists.txt); auth_test.cpp
# is its own executable.
for file in tests/server/*.cpp tests/server/*.hpp; do
  [[ $file == tests/server/auth_test.cpp || $file == tests/server/test_keys.hpp ]] && continue
  forbid "$file" "the transport, auth or OpenSSL" "server/(transport|auth)/|$beast_or_tls"
done
# client (the C++ client library) speaks the protocol; it never sees the server or the store.
forbid client "server, storage, RocksDB or hiredis" 'testkit/|server/|storage/|tests/|fuzz/|bench/|tools/|rocksdb/|hiredis/'
# The conformance kit's C++ adapter drives the client library only, like any client's adapter.
forbid conformance "server, storage or RocksDB" 'testkit/|server/|storage/|tests/|fuzz/|bench/|tools/|rocksdb/'
# testkit drives our binaries from outside: std, tl::expected and POSIX only; no doctest (weft-bench
# uses it too).
forbid testkit "modules, doctest or third-party libraries" \
  'crdt/|proto/|storage/|server/|client/|tools/|bench/|tests/|fuzz/|doctest/|boost/|rocksdb/|nlohmann/'
# Includes are rooted at the repository: "crdt/rga.hpp", never "../crdt/rga.hpp" or "rga.hpp".
for dir in crdt proto storage history server client tools bench testkit tests fuzz; do
  forbid "$dir" "unrooted paths (write \"module/file.hpp\")" '\.\.?/|[^/<>"]*"'
done

if ((status == 0)); then echo "layers: ok"; fi
exit "$status"
