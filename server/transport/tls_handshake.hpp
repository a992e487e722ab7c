// tls_handshake.hpp — the first step of a connection on a TLS port: tell TLS from plain text,
// shake hands, then hand the encrypted stream to an HttpSession.
//
// A TLS port speaks only TLS: tokens travel in the upgrade request, so a plain connection must
// not carry them. A client that sends plain HTTP gets a plain "400: this port speaks TLS" (what
// it can read) and is closed. Detection and handshake together must finish within
// handshake_timeout, so that silent or slow clients cannot hold sockets.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "server/transport/client_stream.hpp"
#include "server/transport/http_session.hpp"

namespace weft::server::transport {

class TlsHandshake : public std::enable_shared_from_this<TlsHandshake> {
 public:
  static constexpr std::chrono::seconds handshake_timeout{10};

  // `socket_slot` (listener.hpp) is handed to the HttpSession.
  TlsHandshake(boost::asio::ip::tcp::socket&& socket,
               std::shared_ptr<boost::asio::ssl::context> context, TransportContext transport,
               std::optional<IpLimiter::Ticket> socket_slot);
  void run();

 private:
  void on_detect(boost::beast::error_code ec, bool tls);
  void on_handshake(boost::beast::error_code ec, std::size_t used);
  void on_plain_answer(boost::beast::error_code ec, std::size_t bytes);
  void do_drain();

  PlainStream tcp_;                   // until TLS is detected
  std::optional<TlsStream> tls_;      // from then on (made from tcp_)
  boost::beast::flat_buffer buffer_;  // what detection read; the handshake starts from it
  std::shared_ptr<boost::asio::ssl::context> context_;
  TransportContext transport_;
  std::string answer_;  // to a plain-text client, kept alive while written
  std::optional<IpLimiter::Ticket> socket_slot_;
};

}  // namespace weft::server::transport
