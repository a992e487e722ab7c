// listener.cpp — the accept loop.
#include "server/transport/listener.hpp"

#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/logger.h>

#include "server/base/metrics.hpp"
#include "server/transport/tls_certificates.hpp"
#include "server/transport/tls_handshake.hpp"

namespace weft::server::transport {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

tl::expected<std::shared_ptr<Listener>, std::string> Listener::open(net::io_context& ioc,
                                                                    const tcp::endpoint& endpoint,
                                                                    TransportContext context) {
  auto listener = std::make_shared<Listener>(ioc, context);
  tcp::acceptor& acceptor = listener->acceptor_;
  beast::error_code ec;
  const auto fail = [&](std::string_view what) {
    return tl::unexpected("cannot " + std::string(what) + " " + to_string(endpoint) + ": " +
                          ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return fail("set reuse_address on");
  }
  if (acceptor.bind(endpoint, ec); ec) return fail("listen on");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  return listener;
}

Listener::Listener(net::io_context& ioc, TransportContext context)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      retry_(acceptor_.get_executor()),
      context_(context) {}

tcp::endpoint Listener::local_endpoint() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::run() { do_accept(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(),
            beast::bind_front_handler(&Listener::on_stop, shared_from_this()));
}

void Listener::on_stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void Listener::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Accept fails again at once while the cause lasts (no descriptors left): pause, do not spin.
    std::cerr << "weft-server: accept: " << ec.message() << " (retrying in 100 ms)\n";
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
    return;
  }
  std::optional<IpLimiter::Ticket> slot;
  if (context_.socket_limiter != nullptr) {
    beast::error_code address_error;
    const auto remote = socket.remote_endpoint(address_error);
    if (!address_error) slot = context_.socket_limiter->acquire(remote.address().to_string());
    if (!slot) {
      refuse(std::move(socket));
      return do_accept();
    }
  }
  // Keystrokes are tiny frames: send them at once instead of waiting for Nagle's algorithm.
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (context_.tls != nullptr) {
    std::make_shared<TlsHandshake>(std::move(socket), context_.tls->current(), context_,
                                   std::move(slot))
        ->run();
  } else {
    std::make_shared<HttpSession>(std::move(socket), context_, std::move(slot))->run();
  }
  do_accept();
}

void Listener::refuse(tcp::socket socket) {
  context_.metrics.connections_refused.Increment();
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  context_.log.warn(
      "event=connection_refused remote={} msg=\"over --max-connections or "
      "--max-sockets-per-ip\"",
      ec ? std::string("?") : to_string(remote));
  // One best-effort write into the empty send buffer (it never blocks), then the socket goes:
  // refusing must not cost a descriptor or a strand for longer than this call.
  static constexpr std::string_view answer =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 22\r\n\r\ntoo many connections\r\n";
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(net::buffer(answer.data(), answer.size()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace weft::server::transport
