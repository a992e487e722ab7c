// tls_handshake.cpp — detection (beast::async_detect_ssl), the server handshake, and the answer
// to plain-text clients of a TLS port.
#include "server/transport/tls_handshake.hpp"

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/detect_ssl.hpp>

#include "server/base/log.hpp"
#include "server/base/metrics.hpp"

namespace weft::server::transport {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

constexpr std::string_view plain_body = "this port speaks TLS only: use https:// or wss://\n";

}  // namespace

TlsHandshake::TlsHandshake(net::ip::tcp::socket&& socket, std::shared_ptr<ssl::context> context,
                           TransportContext transport, std::optional<IpLimiter::Ticket> socket_slot)
    : tcp_(std::move(socket)),
      context_(std::move(context)),
      transport_(transport),
      socket_slot_(std::move(socket_slot)) {}

void TlsHandshake::run() {
  net::dispatch(tcp_.get_executor(), [self = shared_from_this()] {
    self->tcp_.expires_after(handshake_timeout);
    beast::async_detect_ssl(self->tcp_, self->buffer_,
                            beast::bind_front_handler(&TlsHandshake::on_detect, self));
  });
}

void TlsHandshake::on_detect(beast::error_code ec, bool tls) {
  if (ec) return;  // closed or timed out before saying anything
  if (!tls) {
    transport_.metrics.count_tls_handshake("plain");
    answer_ =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(plain_body.size()) + "\r\n\r\n" + std::string(plain_body);
    return net::async_write(
        tcp_, net::buffer(answer_),
        beast::bind_front_handler(&TlsHandshake::on_plain_answer, shared_from_this()));
  }
  tls_.emplace(std::move(tcp_), *context_);
  tls_->async_handshake(ssl::stream_base::server, buffer_.data(),
                        beast::bind_front_handler(&TlsHandshake::on_handshake, shared_from_this()));
}

void TlsHandshake::on_handshake(beast::error_code ec, std::size_t used) {
  // A failed handshake (untrusted certificate, no common protocol, garbage) ends here; the
  // client's TLS library reports why on its side.
  if (ec) {
    transport_.metrics.count_tls_handshake("failed");
    transport_.log.debug("event=tls_handshake_failed remote={} error={}",
                         peer_address(beast::get_lowest_layer(*tls_)), base::quote(ec.message()));
    return;
  }
  transport_.metrics.count_tls_handshake("ok");
  buffer_.consume(used);
  std::make_shared<HttpSession>(std::move(*tls_), std::move(context_), std::move(buffer_),
                                transport_, std::move(socket_slot_))
      ->run();
}

void TlsHandshake::on_plain_answer(beast::error_code ec, std::size_t) {
  if (ec) return;
  // Closing with the rest of the request unread would reset the connection and could destroy
  // the answer before the client reads it: end our side, then read until the client closes
  // (or handshake_timeout ends it).
  tcp_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) return;
  do_drain();
}

void TlsHandshake::do_drain() {
  buffer_.clear();
  tcp_.async_read_some(buffer_.prepare(4096),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (!ec) self->do_drain();
                       });
}

}  // namespace weft::server::transport
