// client_stream.hpp — the byte stream of one accepted connection: plain TCP, or TLS over TCP when
// the server has a certificate (tls_certificates.hpp).
//
// HttpSession and WebSocketSession hold one of these and visit it, so that one class of each
// serves both http:// and https://. Timeouts and the socket live in the TCP layer under either.
#pragma once
#include <string>
#include <variant>

#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace weft::server::transport {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using ClientStream = std::variant<PlainStream, TlsStream>;

// "127.0.0.1:8080" or "[::1]:8080".
[[nodiscard]] std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint);

// "ADDRESS:PORT" of the client at the other end of `stream` ("[v6]:PORT"), "?" if unknown.
[[nodiscard]] std::string peer_address(const boost::beast::tcp_stream& stream);

// Whether `ec` is how a client connection normally ends (closed, cut, timed out, TLS closed
// without close_notify): not worth a log line or an error answer.
[[nodiscard]] bool is_normal_end(boost::beast::error_code ec);

// The TCP layer of `stream` (expiry, socket options, the peer's address).
[[nodiscard]] inline boost::beast::tcp_stream& tcp_layer(ClientStream& stream) {
  return std::visit(
      [](auto& s) -> boost::beast::tcp_stream& { return boost::beast::get_lowest_layer(s); },
      stream);
}

}  // namespace weft::server::transport
