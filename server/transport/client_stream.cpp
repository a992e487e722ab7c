// client_stream.cpp — what the sessions share about their client's stream: its address for the
// log, and which errors are a normal end.
#include "server/transport/client_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace weft::server::transport {
namespace net = boost::asio;

std::string peer_address(const boost::beast::tcp_stream& stream) {
  boost::beast::error_code ec;
  const auto endpoint = stream.socket().remote_endpoint(ec);
  return ec ? "?" : to_string(endpoint);
}

std::string to_string(const net::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on "[" + s + "]".
  std::string out;
  if (address.is_v6()) out += '[';
  out += address.to_string();
  if (address.is_v6()) out += ']';
  out += ':';
  out += std::to_string(endpoint.port());
  return out;
}

bool is_normal_end(boost::beast::error_code ec) {
  return ec == boost::beast::websocket::error::closed || ec == net::error::operation_aborted ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == boost::beast::error::timeout || ec == net::ssl::error::stream_truncated;
}

}  // namespace weft::server::transport
