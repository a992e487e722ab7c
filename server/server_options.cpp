// server_options.cpp — the flag table of weft-server and its value parsers.
#include "server/server_options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "server/auth/public_key.hpp"
#include "server/base/log.hpp"
#include "server/documents/document_limits.hpp"
#include "storage/redis_leases.hpp"

namespace weft::server {
namespace {

using Error = tl::unexpected<std::string>;

// Joins pieces into one message. (`"literal" + std::string` trips g++ 12's -Wrestrict false
// positive at -O3.)
[[nodiscard]] std::string concat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const std::string_view piece : pieces) out += piece;
  return out;
}

[[nodiscard]] tl::expected<std::uint64_t, std::string> parse_uint(std::string_view text,
                                                                  std::uint64_t min,
                                                                  std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return Error(concat({"'", text, "' is not a whole number"}));
  }
  if (value < min || value > max) {
    return Error(concat(
        {"'", text, "' is out of range [", std::to_string(min), ", ", std::to_string(max), "]"}));
  }
  return value;
}

[[nodiscard]] tl::expected<double, std::string> parse_seconds(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
      !std::isfinite(value) || value < 0) {
    return Error(concat({"'", text, "' is not a number of seconds >= 0"}));
  }
  return value;
}

// Applies one value to the config; an error message names the problem, not the flag.
using Setter =
    std::function<tl::expected<void, std::string>(base::ServerConfig&, std::string_view)>;

struct Flag {
  std::string_view name;  // without the leading --
  std::string_view env;   // empty: no environment variable
  Setter set;
  std::optional<FlagRange> range = std::nullopt;  // integer flags: the values accepted
};

// An integer flag: `field(config, value)` for a value in [min, max].
template <class Field>
Flag integer(std::string_view name, std::string_view env, Field field, std::uint64_t min,
             std::uint64_t max) {
  Setter set = [field, min, max](base::ServerConfig& config,
                                 std::string_view text) -> tl::expected<void, std::string> {
    auto value = parse_uint(text, min, max);
    if (!value) return Error(value.error());
    field(config, *value);
    return {};
  };
  return {name, env, std::move(set), FlagRange{min, max}};
}

// A ServerLimits field (a key of welcome.limits) set by an integer flag.
Flag limit(std::string_view name, std::uint64_t proto::ServerLimits::*field, std::uint64_t min,
           std::uint64_t max) {
  return integer(
      name, "", [field](base::ServerConfig& c, std::uint64_t v) { c.limits.*field = v; }, min, max);
}

constexpr std::uint64_t max_threads = 1024;
constexpr std::uint64_t max_redis_replicas = 64;

constexpr std::uint64_t max_u32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

const std::vector<Flag>& flags() {
  using L = proto::ServerLimits;
  static const std::vector<Flag> table{
      {"listen", "WEFT_LISTEN",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         auto address = parse_listen_address(text);
         if (!address) return Error(address.error());
         config.host = std::move(address->host);
         config.port = address->port;
         return {};
       }},
      {"data", "WEFT_DATA",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text.empty()) return Error("the data directory must not be empty");
         config.data_dir = std::string(text);
         return {};
       }},
      {"redis", "WEFT_REDIS_URL",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (!text.starts_with("redis://")) {
           return Error("a Redis URL is redis://HOST[:PORT][/DB]");
         }
         config.redis_url = std::string(text);
         return {};
       }},
      integer(
          "redis-replicas", "",
          [](base::ServerConfig& c, std::uint64_t v) {
            c.redis_replicas = static_cast<std::uint32_t>(v);
          },
          0, max_redis_replicas),
      {"redis-durability", "",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text != "strict" && text != "relaxed") return Error("strict or relaxed");
         config.redis_relaxed_durability = text == "relaxed";
         return {};
       }},
      {"node-id", "WEFT_NODE_ID",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (!storage::RedisLeases::is_valid_node_id(text))
           return Error("1..64 characters of [A-Za-z0-9._-]");
         config.node_id = std::string(text);
         return {};
       }},
      {"static", "WEFT_STATIC",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text.empty()) return Error("the static directory must not be empty");
         config.static_dir = std::string(text);
         return {};
       }},
      integer(
          "threads", "WEFT_THREADS",
          [](base::ServerConfig& c, std::uint64_t v) { c.threads = static_cast<unsigned>(v); }, 1,
          max_threads),
      integer(
          "store-threads", "",
          [](base::ServerConfig& c, std::uint64_t v) {
            c.store_threads = static_cast<unsigned>(v);
          },
          1, max_threads),
      // The limits of welcome (PROTOCOL.md 5.2 and 9), in its order: each key is a flag of the
      // same name with dashes. A hello must fit in max_frame_bytes.
      limit("max-frame-bytes", &L::max_frame_bytes, 64, std::uint64_t{1} << 30),
      limit("max-ops-per-frame", &L::max_ops_per_frame, 1, max_u32),
      limit("max-run", &L::max_run, 1, documents::max_run_limit),
      limit("max-docs-per-connection", &L::max_docs_per_connection, 1, max_u32),
      limit("max-frames-per-second", &L::max_frames_per_second, 1, max_u32),
      // Below 10 ms presence would be relayed faster than a screen shows it; above a minute it
      // is no longer live.
      limit("presence-interval-ms", &L::presence_interval_ms, 10, 60000),
      // A digest hashes the whole text: not more often than every 100 ms. Above an hour a
      // divergence would go unnoticed for too long.
      limit("digest-interval-ms", &L::digest_interval_ms, 100, 3600000),
      limit("idle-timeout-ms", &L::idle_timeout_ms, 100, max_u32),
      limit("max-ops-per-second", &L::max_ops_per_second, 1, max_u32),
      limit("max-bytes-per-second", &L::max_bytes_per_second, 1024, max_u64),
      limit("max-connections-per-ip", &L::max_connections_per_ip, 1, max_u32),
      limit("max-buffered-ops", &L::max_buffered_ops, 0, max_u32),
      limit("max-document-bytes", &L::max_document_bytes, 1, documents::max_document_bytes_limit),
      limit("max-outbound-bytes", &L::max_outbound_bytes, 4096, max_u64),
      integer(
          "max-queued-ops", "",
          [](base::ServerConfig& c, std::uint64_t v) {
            c.max_queued_ops = static_cast<std::size_t>(v);
          },
          1, max_u32),
      integer(
          "max-replicas-per-document", "",
          [](base::ServerConfig& c, std::uint64_t v) {
            c.max_replicas_per_document = static_cast<std::size_t>(v);
          },
          2, max_u32),
      integer(
          "http-idle-timeout-ms", "",
          [](base::ServerConfig& c, std::uint64_t v) {
            c.resources.http_idle_timeout = std::chrono::milliseconds{static_cast<std::int64_t>(v)};
          },
          100, 600000),
      integer(
          "max-connections", "",
          [](base::ServerConfig& c, std::uint64_t v) { c.resources.max_connections = v; }, 16,
          1000000),
      integer(
          "max-sockets-per-ip", "",
          [](base::ServerConfig& c, std::uint64_t v) { c.resources.max_sockets_per_ip = v; }, 2,
          1000000),
      integer(
          "max-concurrent-exports", "",
          [](base::ServerConfig& c, std::uint64_t v) { c.resources.max_concurrent_exports = v; }, 1,
          1024),
      integer(
          "log-lines-per-second", "",
          [](base::ServerConfig& c, std::uint64_t v) { c.resources.log_lines_per_second = v; }, 1,
          1000000),
      integer(
          "unload-after-ms", "",
          [](base::ServerConfig& c, std::uint64_t v) {
            c.unload_after = std::chrono::milliseconds{static_cast<std::int64_t>(v)};
          },
          0, max_u32),
      integer(
          "snapshot-every-ops", "",
          [](base::ServerConfig& c, std::uint64_t v) { c.snapshots.every_ops = v; }, 0, max_u64),
      {"snapshot-every-seconds", "",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         auto seconds = parse_seconds(text);
         if (!seconds) return Error(seconds.error());
         config.snapshots.every_seconds = *seconds;
         return {};
       }},
      {"log-level", "WEFT_LOG_LEVEL",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (!base::parse_log_level(text)) {
           return Error("the log level is one of trace, debug, info, warn, error, critical, off");
         }
         config.log_level = std::string(text);
         return {};
       }},
      // Authentication (auth.hpp): an empty secret is refused, so that a typo cannot silently
      // turn authentication off; leave the flag out for development mode.
      {"jwt-secret", "WEFT_JWT_SECRET",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text.empty()) return Error("the JWT secret must not be empty");
         config.jwt_secret = std::string(text);
         return {};
       }},
      // The key file is read and parsed here, once: a missing file or a non-key is a bad value.
      {"jwt-public-key", "WEFT_JWT_PUBLIC_KEY",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text.empty()) return Error("the public key file must not be empty");
         auto key = auth::load_public_key(std::string(text));
         if (!key) return Error(key.error());
         config.jwt_public_key = std::move(*key);
         return {};
       }},
      // TLS (tls_certificates.hpp): the files are read at startup; parse_options() checks that
      // both or neither are given.
      {"tls-cert", "WEFT_TLS_CERT",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text.empty()) return Error("the certificate file name must not be empty");
         config.tls_cert = std::string(text);
         return {};
       }},
      {"tls-key", "WEFT_TLS_KEY",
       [](base::ServerConfig& config, std::string_view text) -> tl::expected<void, std::string> {
         if (text.empty()) return Error("the key file name must not be empty");
         config.tls_key = std::string(text);
         return {};
       }},
  };
  return table;
}

const Flag* find_flag(std::string_view name) {
  for (const Flag& flag : flags()) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

}  // namespace

std::optional<FlagRange> flag_range(std::string_view name) {
  const Flag* flag = find_flag(name);
  return flag == nullptr ? std::nullopt : flag->range;
}

tl::expected<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  const std::string quoted = concat({"'", text, "'"});
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error(quoted + " is not [IPV6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Error(quoted + " is not HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Error(quoted + ": write an IPv6 address in brackets, as [::1]:8080");
    }
  }
  ListenAddress address;
  address.host = host == "localhost" ? "127.0.0.1" : std::string(host);
  boost::system::error_code ec;
  boost::asio::ip::make_address(address.host, ec);
  if (host.empty() || ec) return Error(concat({quoted, ": '", host, "' is not an IP address"}));
  auto number = parse_uint(port, 0, 65535);
  if (!number) return Error(concat({quoted, ": port ", number.error()}));
  address.port = static_cast<std::uint16_t>(*number);
  return address;
}

tl::expected<ParsedOptions, std::string> parse_options(std::span<const std::string_view> args,
                                                       const Environment& env, unsigned cores) {
  ParsedOptions parsed;
  parsed.config.threads = cores == 0 ? 1 : cores;
  for (const Flag& flag : flags()) {
    if (flag.env.empty()) continue;
    const std::optional<std::string> value = env(flag.env);
    if (!value) continue;
    if (auto applied = flag.set(parsed.config, *value); !applied) {
      return Error(concat({flag.env, ": ", applied.error()}));
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.action = Action::help;
      continue;
    }
    if (arg == "--version") {
      parsed.action = Action::version;
      continue;
    }
    if (!arg.starts_with("--")) return Error(concat({"unexpected argument '", arg, "'"}));
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (const std::size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Flag* flag = find_flag(name);
    if (flag == nullptr) return Error(concat({"unknown flag '--", name, "'"}));
    if (!value) {
      if (i + 1 >= args.size()) return Error(concat({"--", name, " needs a value"}));
      value = args[++i];
    }
    if (auto applied = flag->set(parsed.config, *value); !applied) {
      return Error(concat({"--", name, ": ", applied.error()}));
    }
  }
  if (parsed.config.tls_cert.empty() != parsed.config.tls_key.empty()) {
    return Error("--tls-cert and --tls-key go together: give both (TLS) or neither (plain)");
  }
  return parsed;
}

std::string usage() {
  return R"(usage: weft-server [FLAGS]

Serves Weft's real-time editing protocol (WebSocket at /ws), /healthz and the editor's files on
one HTTP port. Flags override the environment variable named beside them.

  --listen HOST:PORT          address to listen on; [::1]:8080 for IPv6; port 0 picks a free
                              port (WEFT_LISTEN, default 127.0.0.1:8080)
  --data DIR                  the document store's directory (WEFT_DATA, default ./data)
  --redis URL                 keep the documents in Redis (redis://HOST[:PORT][/DB]) instead
                              of --data: cluster mode, docs/cluster.md (WEFT_REDIS_URL)
  --redis-replicas N          acknowledge a write once this many Redis replicas have it
                              (WAIT; default 0; 0..64)
  --redis-durability MODE     strict (default): refuse to start unless Redis fsyncs every
                              write (appendonly yes, appendfsync always) or --redis-replicas
                              is set; relaxed: run anyway, and /healthz and the log say so
  --node-id ID                this node's name in /healthz and the log (WEFT_NODE_ID;
                              default: random; 1..64 of [A-Za-z0-9._-])
  --static DIR                files served at / (WEFT_STATIC, default ./client-js/public)
  --threads N                 I/O threads (WEFT_THREADS, default: the number of cores)
  --store-threads N           threads for blocking store calls (default 32)
  --max-frame-bytes N         larger client frames are closed with 1009 (default 1048576;
                              64..2^30)
  --max-ops-per-frame N       (default 4096; 1..2^32-1)
  --max-run N                 units per op (code points of an insert, elements of a
                              delete); longer: run_too_long (default 1048576; 1..2^20)
  --max-docs-per-connection N (default 64; 1..2^32-1)
  --max-frames-per-second N   per connection, bursts up to twice this (default 500; 1..2^32-1)
  --presence-interval-ms N    presence is relayed at most this often (default 50; 10..60000)
  --digest-interval-ms N      digest frames at most this often per document (default 1000;
                              100..3600000)
  --idle-timeout-ms N         silent connections are closed after this (default 20000;
                              100..2^32-1)
  --max-ops-per-second N      ops per second per connection, bursts up to twice this
                              (default 2000; 1..2^32-1)
  --max-bytes-per-second N    ops frame bytes per second per connection, bursts up to twice
                              this (default 4194304; 1024..2^64-1)
  --max-connections-per-ip N  more WebSocket upgrades from one address get 429 (default 64;
                              1..2^32-1)
  --max-buffered-ops N        ops of one writer waiting for their dependencies (default 4096;
                              0..2^32-1)
  --max-document-bytes N      UTF-8 bytes inserted into one document (default 67108864;
                              1..2^30)
  --max-outbound-bytes N      unread bytes queued for one client before it is closed with
                              4003 (default 16777216; 4096..2^64-1)
  --max-queued-ops N          ops waiting in one document's queue while a commit is in flight;
                              more: overloaded, the frame is refused (default 65536; 1..2^32-1)
  --max-replicas-per-document N
                              replica table entries kept per document; beyond, the oldest not
                              in use are evicted (default 4096; 2..2^32-1)
  --http-idle-timeout-ms N    a connection that sends no request headers for this long is
                              closed, before its first request and between requests
                              (default 10000; 100..600000)
  --max-connections N         open sockets of every kind; more are answered 503 and closed
                              (default 10000, lowered to fit the open-file limit; 16..1000000)
  --max-sockets-per-ip N      open sockets of one address; more are answered 503 and closed
                              (default 256; 2..1000000)
  --max-concurrent-exports N  log exports at once; more are answered 503 (default 4; 1..1024)
  --log-lines-per-second N    log lines per event name and second; more are counted and
                              summed up in one line (default 20; 1..1000000)
  --unload-after-ms N         documents without members stay loaded this long (default 30000)
  --snapshot-every-ops N      0 = never because of the op count (default 1000)
  --snapshot-every-seconds S  0 = never because of time (default 30)
  --jwt-secret SECRET         clients need an HS256 token signed with it (WEFT_JWT_SECRET;
                              default none: development mode, no authentication)
  --jwt-public-key FILE       PEM public key (RSA, or EC P-256/384/521): clients may also use
                              RS256/384/512 or ES256/384/512 tokens signed with its private key
                              (WEFT_JWT_PUBLIC_KEY; read once at startup)
  --tls-cert FILE             PEM certificate chain: the port speaks only TLS (https://,
                              wss://); SIGHUP reloads it (WEFT_TLS_CERT; needs --tls-key)
  --tls-key FILE              PEM private key of the certificate (WEFT_TLS_KEY)
  --log-level LEVEL           trace, debug, info, warn, error, critical or off (WEFT_LOG_LEVEL,
                              default info)
  --help                      print this and exit
  --version                   print the version and exit

Exit status: 0 after SIGINT/SIGTERM, 1 if the server cannot start, 64 on a bad flag.
)";
}

}  // namespace weft::server
