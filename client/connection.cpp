// connection.cpp — Beast client stream: resolve, connect, handshake, read loop, write queue.
#include "client/connection.hpp"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/error.hpp>

namespace weft::client {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// Snapshots arrive in chunks, so no message should come near this; it only bounds a bad server.
constexpr std::size_t max_message_bytes = std::size_t{64} << 20;
}  // namespace

Connection::Connection(net::io_context& ioc, Events events)
    : resolver_(ioc), ws_(ioc), events_(std::move(events)) {}

std::shared_ptr<Connection> Connection::create(net::io_context& ioc, Events events) {
  return std::make_shared<Connection>(ioc, std::move(events));
}

void Connection::open(const std::string& host, std::uint16_t port, const std::string& path) {
  host_ = host + ":" + std::to_string(port);
  path_ = path;
  resolver_.async_resolve(host, std::to_string(port),
                          beast::bind_front_handler(&Connection::on_resolve, shared_from_this()));
}

void Connection::on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
  if (ec) return finish({std::nullopt, "resolve: " + ec.message()});
  beast::get_lowest_layer(ws_).async_connect(
      results, beast::bind_front_handler(&Connection::on_connect, shared_from_this()));
}

void Connection::on_connect(beast::error_code ec, tcp::endpoint) {
  if (ec) return finish({std::nullopt, "connect: " + ec.message()});
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.read_message_max(max_message_bytes);
  ws_.binary(true);
  ws_.async_handshake(host_, path_,
                      beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
}

void Connection::on_handshake(beast::error_code ec) {
  if (ec) return finish({std::nullopt, "handshake: " + ec.message()});
  open_ = true;
  if (events_.on_open) events_.on_open();
  do_read();
  if (!queue_.empty() && !writing_) do_write();
}

void Connection::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&Connection::on_read, shared_from_this()));
}

void Connection::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    CloseInfo info;
    if (ec == websocket::error::closed) {
      info.code = static_cast<std::uint16_t>(ws_.reason().code);
      info.reason = std::string(ws_.reason().reason.c_str());
    } else {
      info.reason = "read: " + ec.message();
    }
    return finish(std::move(info));
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
  ws_.async_write(net::buffer(queue_.front()),
                  beast::bind_front_handler(&Connection::on_write, shared_from_this()));
}

void Connection::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  // A failed write leaves the queue stuck; the read loop fails too and reports the close (with
  // the server's close code when it sent one before dropping the connection, e.g. 1009).
  if (ec) return;
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (!queue_.empty()) return do_write();
  if (closing_) {
    ws_.async_close(websocket::close_code::normal,
                    beast::bind_front_handler(&Connection::on_close_sent, shared_from_this()));
  }
}

void Connection::on_close_sent(beast::error_code ec) {
  // The read loop reports the close (with the server's code); a failure here ends it too.
  if (ec) finish({std::nullopt, "close: " + ec.message()});
}

void Connection::close() {
  if (closed_ || closing_) return;
  closing_ = true;
  if (!open_) return abort();
  if (!writing_ && queue_.empty()) {
    ws_.async_close(websocket::close_code::normal,
                    beast::bind_front_handler(&Connection::on_close_sent, shared_from_this()));
  }
}

void Connection::abort() {
  beast::error_code ignored;
  resolver_.cancel();
  beast::get_lowest_layer(ws_).socket().close(ignored);
  finish({std::nullopt, "aborted"});
}

void Connection::detach() {
  events_ = {};
  if (!closed_) abort();
}

void Connection::finish(CloseInfo info) {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  auto on_close = std::move(events_.on_close);
  events_ = {};
  if (on_close) on_close(info);
}

}  // namespace weft::client
