// connection.cpp — Beast client stream: resolve, connect, (TLS handshake,) WebSocket handshake,
// read loop, write queue.
#include "client/connection.hpp"

#include <chrono>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/error.hpp>
#include <openssl/ssl.h>

namespace weft::client {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {
// Snapshots arrive in chunks, so no message should come near this; it only bounds a bad server.
constexpr std::size_t max_message_bytes = std::size_t{64} << 20;
// The TLS handshake has no timeout of its own (the WebSocket one starts after it).
constexpr std::chrono::seconds tls_handshake_timeout{30};
}  // namespace

Connection::Connection(net::io_context& ioc, Events events)
    : resolver_(ioc), ws_(std::in_place_type<PlainWs>, ioc), events_(std::move(events)) {}

std::shared_ptr<Connection> Connection::create(net::io_context& ioc, Events events) {
  return std::make_shared<Connection>(ioc, std::move(events));
}

beast::tcp_stream& Connection::transport() {
  return std::visit([](auto& ws) -> beast::tcp_stream& { return beast::get_lowest_layer(ws); },
                    ws_);
}

void Connection::open(const std::string& host, std::uint16_t port, const std::string& path,
                      const std::optional<TlsOptions>& tls) {
  host_ = host + ":" + std::to_string(port);
  path_ = path;
  if (tls) {
    auto context = context_for(*tls);
    if (!context) {
      // Reported from the io_context, like every other failure (the owner is not re-entered).
      return net::post(resolver_.get_executor(), [self = shared_from_this(), e = context.error()] {
        self->finish({std::nullopt, e});
      });
    }
    tls_context_ = std::move(*context);
    auto& stream = ws_.emplace<TlsWs>(resolver_.get_executor(), *tls_context_).next_layer();
    beast::error_code not_address;
    (void)net::ip::make_address(host, not_address);
    // SNI names DNS hosts only (RFC 6066 forbids IP literals).
    if (not_address && SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) != 1) {
      return net::post(resolver_.get_executor(), [self = shared_from_this()] {
        self->finish({std::nullopt, "tls: cannot set the server name"});
      });
    }
    set_verification(stream, *tls, host);
  }
  resolver_.async_resolve(host, std::to_string(port),
                          beast::bind_front_handler(&Connection::on_resolve, shared_from_this()));
}

void Connection::on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
  if (ec) return finish({std::nullopt, "resolve: " + ec.message()});
  transport().async_connect(results,
                            beast::bind_front_handler(&Connection::on_connect, shared_from_this()));
}

void Connection::on_connect(beast::error_code ec, const tcp::endpoint& /*endpoint*/) {
  if (ec) return finish({std::nullopt, "connect: " + ec.message()});
  transport().socket().set_option(tcp::no_delay(true));
  if (auto* tls = std::get_if<TlsWs>(&ws_)) {
    transport().expires_after(tls_handshake_timeout);
    return tls->next_layer().async_handshake(
        ssl::stream_base::client,
        beast::bind_front_handler(&Connection::on_tls_handshake, shared_from_this()));
  }
  start_ws_handshake();
}

void Connection::on_tls_handshake(beast::error_code ec) {
  if (ec) return finish({std::nullopt, "tls handshake: " + ec.message()});
  transport().expires_never();  // the WebSocket stream keeps its own timeouts
  start_ws_handshake();
}

void Connection::start_ws_handshake() {
  std::visit(
      [this](auto& ws) {
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws.read_message_max(max_message_bytes);
        ws.binary(true);
        ws.async_handshake(
            host_, path_, beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
      },
      ws_);
}

void Connection::on_handshake(beast::error_code ec) {
  if (ec) return finish({std::nullopt, "handshake: " + ec.message()});
  open_ = true;
  if (events_.on_open) events_.on_open();
  do_read();
  if (!queue_.empty() && !writing_) do_write();
}

void Connection::do_read() {
  std::visit(
      [this](auto& ws) {
        ws.async_read(buffer_, beast::bind_front_handler(&Connection::on_read, shared_from_this()));
      },
      ws_);
}

void Connection::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    CloseInfo info;
    if (ec == websocket::error::closed) {
      const websocket::close_reason& reason =
          std::visit([](auto& ws) -> const websocket::close_reason& { return ws.reason(); }, ws_);
      info.code = static_cast<std::uint16_t>(reason.code);
      info.reason = std::string(reason.reason.c_str());
    } else {
      info.reason = "read: " + ec.message();
    }
    return finish(info);
  }
  const auto data = buffer_.cdata();
  const std::string_view message{static_cast<const char*>(data.data()), data.size()};
  if (events_.on_message) events_.on_message(message);
  buffer_.consume(buffer_.size());
  if (!closed_) do_read();
}

void Connection::send(std::string message) {
  if (closed_ || closing_) return;
  queued_bytes_ += message.size();
  queue_.push_back(std::move(message));
  if (open_ && !writing_) do_write();
}

void Connection::do_write() {
  writing_ = true;
  std::visit(
      [this](auto& ws) {
        ws.async_write(net::buffer(queue_.front()),
                       beast::bind_front_handler(&Connection::on_write, shared_from_this()));
      },
      ws_);
}

void Connection::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  // A failed write leaves the queue stuck; the read loop fails too and reports the close (with
  // the server's close code when it sent one before dropping the connection, e.g. 1009).
  if (ec) return;
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (!queue_.empty()) return do_write();
  if (closing_) send_close();
}

void Connection::send_close() {
  std::visit(
      [this](auto& ws) {
        ws.async_close(websocket::close_code::normal,
                       beast::bind_front_handler(&Connection::on_close_sent, shared_from_this()));
      },
      ws_);
}

void Connection::on_close_sent(beast::error_code ec) {
  // The read loop reports the close (with the server's code); a failure here ends it too.
  if (ec) finish({std::nullopt, "close: " + ec.message()});
}

void Connection::close() {
  if (closed_ || closing_) return;
  closing_ = true;
  if (!open_) return abort();
  if (!writing_ && queue_.empty()) send_close();
}

void Connection::abort() {
  beast::error_code ignored;
  resolver_.cancel();
  transport().socket().close(ignored);
  finish({std::nullopt, "aborted"});
}

void Connection::detach() {
  events_ = {};
  if (!closed_) abort();
}

void Connection::finish(const CloseInfo& info) {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  transport().socket().close(ignored);
  auto on_close = std::move(events_.on_close);
  events_ = {};
  if (on_close) on_close(info);
}

}  // namespace weft::client
