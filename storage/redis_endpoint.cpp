// redis_endpoint.cpp — parse_redis_url().
#include "storage/redis_endpoint.hpp"

#include <charconv>

#include "storage/record_format.hpp"

namespace weft::storage {

namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return format::error(Errc::io_error, "bad Redis URL '" + std::string(url) +
                                             "': " + std::string(why) +
                                             " (expected redis://HOST[:PORT][/DB])");
  };
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) return bad("not redis://");
  std::string_view rest = url.substr(scheme.size());
  RedisEndpoint endpoint;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_number(db, endpoint.db)) return bad("bad database number");
    rest = rest.substr(0, slash);
  }
  if (rest.find_first_of("@?#") != std::string_view::npos) return bad("unsupported part");
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    endpoint.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return bad("junk after ']'");
      port = rest.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (endpoint.host.empty()) return bad("no host");
  if (!port.empty() && (!parse_number(port, endpoint.port) || endpoint.port == 0)) {
    return bad("bad port");
  }
  return endpoint;
}

}  // namespace weft::storage
