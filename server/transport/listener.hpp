// listener.hpp — accepts TCP connections on the server's port and gives each to an HttpSession.
//
// Each accepted socket gets its own strand, which its HttpSession and, after an upgrade, its
// WebSocketSession run on. On a TLS port (TransportContext::tls) a TlsHandshake comes first.
// Each socket takes a slot of the socket limiter (max_connections, max_sockets_per_ip) that its
// sessions hold until it is closed; a socket without a slot gets a short 503 and is closed at
// once, so idle or hostile clients cannot take every file descriptor.
#pragma once
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <tl/expected.hpp>

#include "server/transport/http_session.hpp"

namespace weft::server::transport {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens (synchronously: a port that cannot be bound is a startup error, reported
  // as a message naming the endpoint and the cause).
  [[nodiscard]] static tl::expected<std::shared_ptr<Listener>, std::string> open(
      boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
      TransportContext context);

  Listener(boost::asio::io_context& ioc, TransportContext context);  // use open()

  // The bound endpoint (with the real port when 0 was asked for).
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Starts accepting.
  void run();
  // Stops accepting (thread-safe); open connections are not affected.
  void stop();

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void on_stop();
  void refuse(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after a failed accept (e.g. out of descriptors)
  TransportContext context_;
};

}  // namespace weft::server::transport
