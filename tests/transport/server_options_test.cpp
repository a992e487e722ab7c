// server_options_test.cpp — weft-server's flags and environment variables (server_options.hpp).
#include "server/server_options.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "proto/frame_codec.hpp"

namespace weft::server {
namespace {

struct Fixture {
  std::map<std::string, std::string, std::less<>> env;
  unsigned cores = 6;

  tl::expected<ParsedOptions, std::string> parse(std::vector<std::string_view> args) const {
    const Environment lookup = [this](std::string_view name) -> std::optional<std::string> {
      const auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    return parse_options(args, lookup, cores);
  }

  base::ServerConfig config(std::vector<std::string_view> args) const {
    auto parsed = parse(std::move(args));
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error()));
    return parsed->config;
  }

  std::string error(std::vector<std::string_view> args) const {
    auto parsed = parse(std::move(args));
    REQUIRE_FALSE(parsed.has_value());
    return parsed.error();
  }
};

// The flag of a welcome.limits key: the same name with dashes.
std::string flag_of(std::string_view key) {
  std::string flag(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// How server/README.md and PROTOCOL.md write the ends of a flag's range.
std::string doc_number(std::uint64_t value) {
  if (value == std::numeric_limits<std::uint64_t>::max()) return "2^64−1";
  if (value == std::numeric_limits<std::uint32_t>::max()) return "2^32−1";
  if (value >= (std::uint64_t{1} << 20) && std::has_single_bit(value)) {
    return "2^" + std::to_string(std::countr_zero(value));
  }
  return std::to_string(value);
}

std::string read_source(const std::string& path) {
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/" + path);
  REQUIRE_MESSAGE(in.good(), path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first line of `text` that starts with `prefix`; empty if none does.
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(prefix)) return line;
  }
  return "";
}

std::uint64_t limit_value(const proto::ServerLimits& limits, std::string_view key) {
  for (const proto::LimitEntry& entry : proto::limit_entries(limits)) {
    if (entry.name == key) return entry.value;
  }
  FAIL("no limit ", key);
  return 0;
}

}  // namespace

TEST_SUITE("server options") {
  TEST_CASE("without flags or environment the documented defaults apply") {
    const base::ServerConfig config = Fixture{}.config({});
    CHECK(config.host == "127.0.0.1");
    CHECK(config.port == 8080);
    CHECK(config.data_dir == "./data");
    CHECK(config.static_dir == "./client-js/public");
    CHECK(config.threads == 6);
    CHECK(config.store_threads == 32);
    CHECK(config.limits == proto::ServerLimits{});
  }

  TEST_CASE("threads default to one when the core count is unknown") {
    Fixture fixture;
    fixture.cores = 0;
    CHECK(fixture.config({}).threads == 1);
  }

  TEST_CASE("environment variables set listen, data, threads and static") {
    Fixture fixture;
    fixture.env = {{"WEFT_LISTEN", "0.0.0.0:9000"},
                   {"WEFT_DATA", "/var/lib/weft"},
                   {"WEFT_THREADS", "3"},
                   {"WEFT_STATIC", "/srv/www"}};
    const base::ServerConfig config = fixture.config({});
    CHECK(config.host == "0.0.0.0");
    CHECK(config.port == 9000);
    CHECK(config.data_dir == "/var/lib/weft");
    CHECK(config.threads == 3);
    CHECK(config.static_dir == "/srv/www");
  }

  TEST_CASE("flags override environment variables") {
    Fixture fixture;
    fixture.env = {{"WEFT_LISTEN", "0.0.0.0:9000"}, {"WEFT_DATA", "/env"}, {"WEFT_THREADS", "3"}};
    const base::ServerConfig config =
        fixture.config({"--listen", "127.0.0.1:7000", "--data=/flag", "--threads", "2"});
    CHECK(config.port == 7000);
    CHECK(config.host == "127.0.0.1");
    CHECK(config.data_dir == "/flag");
    CHECK(config.threads == 2);
  }

  TEST_CASE("a flag given twice keeps its last value") {
    CHECK(Fixture{}.config({"--data", "a", "--data", "b"}).data_dir == "b");
  }

  TEST_CASE("every limit flag sets its field") {
    const base::ServerConfig config = Fixture{}.config({
        "--store-threads=4",
        "--max-frame-bytes=65536",
        "--max-ops-per-frame=10",
        "--max-docs-per-connection=5",
        "--max-frames-per-second=50",
        "--idle-timeout-ms=1500",
        "--unload-after-ms=0",
        "--snapshot-every-ops=0",
        "--snapshot-every-seconds=2.5",
    });
    CHECK(config.store_threads == 4);
    CHECK(config.limits.max_frame_bytes == 65536);
    CHECK(config.limits.max_ops_per_frame == 10);
    CHECK(config.limits.max_docs_per_connection == 5);
    CHECK(config.limits.max_frames_per_second == 50);
    CHECK(config.limits.idle_timeout_ms == 1500);
    CHECK(config.unload_after == std::chrono::milliseconds{0});
    CHECK(config.snapshots.every_ops == 0);
    CHECK(config.snapshots.every_seconds == 2.5);
  }

  TEST_CASE("every backpressure limit flag sets its field") {
    const base::ServerConfig config = Fixture{}.config({
        "--max-ops-per-second=100",
        "--max-bytes-per-second=65536",
        "--max-connections-per-ip=3",
        "--max-buffered-ops=7",
        "--max-document-bytes=1000",
        "--max-outbound-bytes=262144",
        "--max-replicas-per-document=9",
        "--max-queued-ops=5",
    });
    CHECK(config.limits.max_ops_per_second == 100);
    CHECK(config.limits.max_bytes_per_second == 65536);
    CHECK(config.limits.max_connections_per_ip == 3);
    CHECK(config.limits.max_buffered_ops == 7);
    CHECK(config.limits.max_document_bytes == 1000);
    CHECK(config.limits.max_outbound_bytes == 262144);
    CHECK(config.max_replicas_per_document == 9);
    CHECK(config.max_queued_ops == 5);
  }

  TEST_CASE("backpressure limits outside their range are errors naming the flag") {
    for (const std::string_view arg :
         {"--max-ops-per-second=0", "--max-bytes-per-second=1023", "--max-connections-per-ip=0",
          "--max-document-bytes=0", "--max-outbound-bytes=4095", "--max-document-bytes=1073741825",
          "--max-replicas-per-document=1", "--max-queued-ops=0", "--max-queued-ops=4294967296"}) {
      const std::string error = Fixture{}.error({arg});
      CHECK_MESSAGE(error.starts_with(arg.substr(0, arg.find('='))), error);
      CHECK_MESSAGE(error.find("out of range") != std::string::npos, error);
    }
  }

  TEST_CASE("every welcome.limits key is a flag of the same name with dashes and a range (#14)") {
    for (const proto::LimitEntry& entry : proto::limit_entries(proto::ServerLimits{})) {
      const std::string flag = "--" + flag_of(entry.name);
      CAPTURE(flag);
      const std::optional<FlagRange> range = flag_range(flag.substr(2));
      REQUIRE(range.has_value());
      CHECK(range->min <= entry.value);  // the default is a value the flag accepts
      CHECK(entry.value <= range->max);
      for (const std::uint64_t end : {range->min, range->max}) {
        const std::string value = std::to_string(end);
        CHECK(limit_value(Fixture{}.config({flag, value}).limits, entry.name) == end);
      }
      std::vector<std::string> outside;
      if (range->min > 0) outside.push_back(std::to_string(range->min - 1));
      if (range->max < std::numeric_limits<std::uint64_t>::max()) {
        outside.push_back(std::to_string(range->max + 1));
      }
      for (const std::string& value : outside) {
        const std::string error = Fixture{}.error({flag, value});
        CHECK_MESSAGE(error.starts_with(flag + ": "), error);
        CHECK_MESSAGE(error.find("out of range") != std::string::npos, error);
      }
    }
  }

  TEST_CASE("the limit flags given together set each its own key of welcome.limits (#14)") {
    std::vector<std::string> args;
    std::vector<std::uint64_t> values;
    for (const proto::LimitEntry& entry : proto::limit_entries(proto::ServerLimits{})) {
      const FlagRange range = flag_range(flag_of(entry.name)).value();
      // Another value than the default and than any other key's.
      const std::uint64_t step = values.size() + 1;
      values.push_back(entry.value + step <= range.max ? entry.value + step : entry.value - step);
      args.push_back("--" + flag_of(entry.name) + "=" + std::to_string(values.back()));
    }
    const base::ServerConfig config = Fixture{}.config({args.begin(), args.end()});
    const auto announced = proto::limit_entries(config.limits);
    for (std::size_t i = 0; i < announced.size(); ++i) {
      CAPTURE(announced[i].name);
      CHECK(announced[i].value == values[i]);
    }
  }

  TEST_CASE("server/README.md and PROTOCOL.md give each limit flag's default and range (#14)") {
    const std::string readme = read_source("server/README.md");
    const std::string spec = read_source("proto/PROTOCOL.md");
    for (const proto::LimitEntry& entry : proto::limit_entries(proto::ServerLimits{})) {
      const FlagRange range = flag_range(flag_of(entry.name)).value();
      const std::string bounds = doc_number(range.min) + ".." + doc_number(range.max);
      const std::string in_readme = line_starting(readme, "| `--" + flag_of(entry.name) + " N` |");
      CHECK_MESSAGE(
          in_readme.find(" | " + std::to_string(entry.value) + " | " + bounds) != std::string::npos,
          "server/README.md: ", in_readme, " wants ", entry.value, " and ", bounds);
      const std::string in_spec = line_starting(spec, "| `" + std::string(entry.name) + "` |");
      CHECK_MESSAGE(in_spec.find(" | " + std::to_string(entry.value) + " | " + bounds + " | ") !=
                        std::string::npos,
                    "PROTOCOL.md: ", in_spec, " wants ", entry.value, " and ", bounds);
    }
  }

  TEST_CASE("every integer flag in server/README.md is one, with the range it accepts (#14)") {
    std::istringstream lines(read_source("server/README.md"));
    int rows = 0;
    for (std::string line; std::getline(lines, line);) {
      const std::size_t end = line.find(" N` |");
      if (!line.starts_with("| `--") || end == std::string::npos) continue;
      const std::string name = line.substr(5, end - 5);
      CAPTURE(name);
      const std::optional<FlagRange> range = flag_range(name);
      REQUIRE(range.has_value());
      CHECK_MESSAGE(line.find(" | " + doc_number(range->min) + ".." + doc_number(range->max) +
                              ": ") != std::string::npos,
                    line);
      ++rows;
    }
    CHECK(rows >= static_cast<int>(proto::limit_count));
  }

  TEST_CASE("every resource bound flag sets its field (issue 13)") {
    const base::ServerConfig config = Fixture{}.config({
        "--http-idle-timeout-ms=250",
        "--max-connections=500",
        "--max-sockets-per-ip=9",
        "--max-concurrent-exports=3",
        "--log-lines-per-second=5",
    });
    CHECK(config.resources.http_idle_timeout == std::chrono::milliseconds{250});
    CHECK(config.resources.max_connections == 500);
    CHECK(config.resources.max_sockets_per_ip == 9);
    CHECK(config.resources.max_concurrent_exports == 3);
    CHECK(config.resources.log_lines_per_second == 5);
    const base::ResourceLimits defaults;
    CHECK(defaults.http_idle_timeout == std::chrono::milliseconds{10000});
    CHECK(defaults.max_connections == 10000);
    CHECK(defaults.max_sockets_per_ip == 256);
    CHECK(defaults.max_concurrent_exports == 4);
    CHECK(defaults.log_lines_per_second == 20);
  }

  TEST_CASE("resource bounds outside their range are errors naming the flag") {
    for (const std::string_view arg :
         {"--http-idle-timeout-ms=99", "--http-idle-timeout-ms=600001", "--max-connections=15",
          "--max-sockets-per-ip=1", "--max-concurrent-exports=0", "--max-concurrent-exports=1025",
          "--log-lines-per-second=0"}) {
      const std::string error = Fixture{}.error({arg});
      CHECK_MESSAGE(error.starts_with(arg.substr(0, arg.find('='))), error);
      CHECK_MESSAGE(error.find("out of range") != std::string::npos, error);
    }
  }

  TEST_CASE("port 0 is accepted: it asks for any free port") {
    CHECK(Fixture{}.config({"--listen", "127.0.0.1:0"}).port == 0);
  }

  TEST_CASE("an IPv6 address is written in brackets") {
    const base::ServerConfig config = Fixture{}.config({"--listen", "[::1]:8443"});
    CHECK(config.host == "::1");
    CHECK(config.port == 8443);
    CHECK(Fixture{}.error({"--listen", "::1:8443"}).find("brackets") != std::string::npos);
    CHECK(Fixture{}.error({"--listen", "[::1]8443"}).find("[IPV6]:PORT") != std::string::npos);
  }

  TEST_CASE("localhost means 127.0.0.1") {
    CHECK(Fixture{}.config({"--listen", "localhost:1234"}).host == "127.0.0.1");
  }

  TEST_CASE("bad listen addresses are errors naming the value") {
    CHECK(Fixture{}.error({"--listen", "8080"}) == "--listen: '8080' is not HOST:PORT");
    CHECK(Fixture{}.error({"--listen", "127.0.0.1:65536"}).find("out of range") !=
          std::string::npos);
    CHECK(Fixture{}.error({"--listen", "127.0.0.1:http"}).find("not a whole number") !=
          std::string::npos);
    CHECK(Fixture{}.error({"--listen", "example.com:80"}).find("not an IP address") !=
          std::string::npos);
    CHECK(Fixture{}.error({"--listen", ":80"}).find("not an IP address") != std::string::npos);
  }

  TEST_CASE("bad numbers are errors naming the flag") {
    CHECK(Fixture{}.error({"--threads", "0"}) == "--threads: '0' is out of range [1, 1024]");
    CHECK(Fixture{}.error({"--threads", "-2"}) == "--threads: '-2' is not a whole number");
    CHECK(Fixture{}.error({"--threads", "2x"}) == "--threads: '2x' is not a whole number");
    CHECK(Fixture{}.error({"--max-frame-bytes", "99999999999999999999"}) ==
          "--max-frame-bytes: '99999999999999999999' is not a whole number");
    CHECK(Fixture{}
              .error({"--snapshot-every-seconds", "-1"})
              .starts_with("--snapshot-every-seconds:"));
  }

  TEST_CASE("a bad environment variable is an error naming the variable") {
    Fixture fixture;
    fixture.env = {{"WEFT_THREADS", "many"}};
    CHECK(fixture.error({}) == "WEFT_THREADS: 'many' is not a whole number");
  }

  TEST_CASE("unknown flags, stray arguments and missing values are errors") {
    CHECK(Fixture{}.error({"--colour", "red"}) == "unknown flag '--colour'");
    CHECK(Fixture{}.error({"serve"}) == "unexpected argument 'serve'");
    CHECK(Fixture{}.error({"--data"}) == "--data needs a value");
    CHECK(Fixture{}.error({"--data="}) == "--data: the data directory must not be empty");
  }

  TEST_CASE("--help and --version are actions, not errors") {
    const auto help = Fixture{}.parse({"--help"});
    REQUIRE(help.has_value());
    CHECK(help->action == Action::help);
    const auto version = Fixture{}.parse({"--version"});
    REQUIRE(version.has_value());
    CHECK(version->action == Action::version);
    CHECK(Fixture{}.parse({})->action == Action::serve);
  }

  TEST_CASE("--tls-cert and --tls-key together make the port speak TLS") {
    const base::ServerConfig config =
        Fixture{}.config({"--tls-cert", "/etc/weft/cert.pem", "--tls-key=/etc/weft/key.pem"});
    CHECK(config.tls_cert == "/etc/weft/cert.pem");
    CHECK(config.tls_key == "/etc/weft/key.pem");
    CHECK(Fixture{}.config({}).tls_cert.empty());
  }

  TEST_CASE("WEFT_TLS_CERT and WEFT_TLS_KEY set the TLS files") {
    Fixture fixture;
    fixture.env = {{"WEFT_TLS_CERT", "c.pem"}, {"WEFT_TLS_KEY", "k.pem"}};
    const base::ServerConfig config = fixture.config({});
    CHECK(config.tls_cert == "c.pem");
    CHECK(config.tls_key == "k.pem");
  }

  TEST_CASE("a TLS certificate without its key, or a key without its certificate, is an error") {
    const std::string expected =
        "--tls-cert and --tls-key go together: give both (TLS) or neither (plain)";
    CHECK(Fixture{}.error({"--tls-cert", "c.pem"}) == expected);
    CHECK(Fixture{}.error({"--tls-key", "k.pem"}) == expected);
    CHECK(Fixture{}.error({"--tls-cert="}) ==
          "--tls-cert: the certificate file name must not be empty");
  }

  TEST_CASE("usage lists every flag") {
    const std::string text = usage();
    for (const char* flag :
         {"--listen", "--data", "--static", "--threads", "--store-threads", "--max-frame-bytes",
          "--max-ops-per-frame", "--max-docs-per-connection", "--max-frames-per-second",
          "--idle-timeout-ms", "--unload-after-ms", "--snapshot-every-ops",
          "--snapshot-every-seconds", "--help", "--version"}) {
      CHECK_MESSAGE(text.find(flag) != std::string::npos, flag);
    }
    for (const char* flag :
         {"--max-ops-per-second", "--max-bytes-per-second", "--max-connections-per-ip",
          "--max-buffered-ops", "--max-document-bytes", "--max-replicas-per-document",
          "--max-outbound-bytes", "--tls-cert", "--tls-key", "--max-run", "--presence-interval-ms",
          "--digest-interval-ms", "--max-queued-ops"}) {
      CHECK_MESSAGE(text.find(flag) != std::string::npos, flag);
    }
  }
}

}  // namespace weft::server
