// websocket_session.cpp — the read loop, the write queue and the close handshake of one client.
#include "server/transport/websocket_session.hpp"

#include <algorithm>
#include <iostream>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "server/base/log.hpp"
#include "server/base/metrics.hpp"
#include "server/base/version.hpp"

namespace weft::server::transport {
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;

namespace {

// After a message larger than this, the read buffer is given back: an idle connection keeps
// only a small buffer however large its biggest frame was.
constexpr std::size_t max_idle_buffer_bytes = 16 * 1024;
// Until the client's hello is read, larger messages are closed with 1009 (PROTOCOL.md §9): a
// connection that has not said hello holds at most this much (a hello is a few dozen bytes).
constexpr std::size_t max_frame_bytes_before_hello = 16 * 1024;
// RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the code.
constexpr std::size_t max_close_reason_bytes = 123;

}  // namespace

WebSocketSession::WsStream WebSocketSession::make_ws(ClientStream&& stream) {
  return std::visit(
      [](auto& next) {
        using Next = std::decay_t<decltype(next)>;
        return WsStream{std::in_place_type<websocket::stream<Next>>, std::move(next)};
      },
      stream);
}

WebSocketSession::WebSocketSession(ClientStream&& stream,
                                   std::shared_ptr<net::ssl::context> tls_context,
                                   const TransportContext& context)
    : tls_context_(std::move(tls_context)),
      ws_(make_ws(std::move(stream))),
      hello_timer_(executor()),
      context_(context),
      remote_(peer_address(tcp())),
      expiry_timer_(executor()) {}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::run(beast::http::request<beast::http::string_body> request,
                           base::Principal principal) {
  principal_ = std::move(principal);
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = std::chrono::seconds(10);
  timeout.idle_timeout = std::chrono::milliseconds(context_.config.limits.idle_timeout_ms);
  timeout.keep_alive_pings = true;
  with_ws([&](auto& ws) {
    ws.set_option(timeout);
    ws.set_option(websocket::permessage_deflate{});  // off: zlib state costs ~300 KiB per client
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(beast::http::field::server, base::server_name);
    }));
    ws.read_message_max(std::min<std::uint64_t>(context_.config.limits.max_frame_bytes,
                                                max_frame_bytes_before_hello));
    ws.binary(true);
    ws.async_accept(request,
                    beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
  });
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) {
    if (!is_normal_end(ec)) {
      context_.log.warn("remote={} event=upgrade_failed error={}", remote_,
                        base::quote(ec.message()));
    }
    return;
  }
  id_ = context_.connection_ids.next();
  if (!context_.sessions.add(id_, weak_from_this())) {
    // The server is stopping. No Connection: once the io_context stops, nothing would break
    // its reference cycle with this session.
    on_close_request(proto::CloseCode::going_away, "server shutting down");
    return do_read();
  }
  context_.metrics.connections.Increment();
  context_.log.info("conn={} event=open remote={}", id_, remote_);
  connection_.emplace(context_.connections, shared_from_this(), id_, remote_,
                      std::move(principal_));
  arm_expiry();
  hello_timer_.expires_after(context_.config.hello_timeout);
  hello_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_hello_timeout, shared_from_this()));
  do_read();
}

void WebSocketSession::do_read() {
  with_ws([&](auto& ws) {
    ws.async_read(buffer_,
                  beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
  });
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) return finish(ec);
  context_.metrics.bytes_in.Increment(static_cast<double>(bytes));
  if (!closing_ && connection_) {
    const auto data = buffer_.cdata();
    connection_->on_message(std::string_view(static_cast<const char*>(data.data()), bytes),
                            with_ws([](auto& ws) { return ws.got_binary(); }));
    arm_expiry();  // a refresh frame may have replaced the token
    if (!full_frames_ && connection_ && connection_->greeted()) {
      full_frames_ = true;
      with_ws([&](auto& ws) { ws.read_message_max(context_.config.limits.max_frame_bytes); });
    }
  }
  buffer_.consume(buffer_.size());
  if (buffer_.capacity() > max_idle_buffer_bytes) buffer_.shrink_to_fit();
  do_read();
}

void WebSocketSession::on_hello_timeout(beast::error_code ec) {
  if (ec || finished_ || !connection_ || connection_->greeted()) return;
  on_close_request(proto::CloseCode::hello_required, "no hello received");
}

void WebSocketSession::arm_expiry() {
  if (!connection_) return;
  const std::optional<std::int64_t> expires = connection_->token_expires();
  if (expires == expiry_armed_) return;
  expiry_armed_ = expires;
  expiry_timer_.cancel();
  if (!expires) return;
  expiry_timer_.expires_at(
      std::chrono::steady_clock::now() +
      (std::chrono::system_clock::from_time_t(*expires) - std::chrono::system_clock::now()));
  expiry_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_expiry, shared_from_this(), *expires));
}

void WebSocketSession::on_expiry(std::int64_t expires, beast::error_code ec) {
  if (ec || finished_ || !connection_ || expiry_armed_ != expires) return;
  connection_->on_token_expired();
}

void WebSocketSession::send(std::shared_ptr<const std::string> frame) {
  net::post(executor(), beast::bind_front_handler(&WebSocketSession::on_send, shared_from_this(),
                                                  std::move(frame)));
}

void WebSocketSession::on_send(std::shared_ptr<const std::string> frame) {
  if (closing_ || finished_) return;
  if (queued_bytes_ + frame->size() > context_.config.limits.max_outbound_bytes) {
    return drop_slow_client();
  }
  set_queued_bytes(queued_bytes_ + frame->size());
  queue_.push_back(std::move(frame));
  if (queue_.size() == 1) do_write();
}

void WebSocketSession::do_write() {
  with_ws([&](auto& ws) {
    ws.async_write(net::buffer(*queue_.front()),
                   beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
  });
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    queue_.clear();
    set_queued_bytes(0);
    return;  // the read loop sees the same failure and finishes
  }
  context_.metrics.bytes_out.Increment(static_cast<double>(bytes));
  set_queued_bytes(queued_bytes_ - queue_.front()->size());
  queue_.pop_front();
  if (!queue_.empty()) return do_write();
  if (closing_) do_close();
}

void WebSocketSession::set_queued_bytes(std::size_t bytes) {
  prometheus::Gauge& gauge = context_.metrics.outbound_bytes;
  if (bytes >= queued_bytes_) {
    gauge.Increment(static_cast<double>(bytes - queued_bytes_));
  } else {
    gauge.Decrement(static_cast<double>(queued_bytes_ - bytes));
  }
  queued_bytes_ = bytes;
}

void WebSocketSession::close(proto::CloseCode code, std::string_view reason) {
  net::post(executor(),
            beast::bind_front_handler(&WebSocketSession::on_close_request, shared_from_this(), code,
                                      std::string(reason.substr(0, max_close_reason_bytes))));
}

void WebSocketSession::on_close_request(proto::CloseCode code, std::string reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_code_ = code;
  close_reason_ = std::move(reason);
  hello_timer_.cancel();
  if (queue_.empty()) do_close();  // otherwise on_write() closes once the queue is written
}

void WebSocketSession::do_close() {
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  with_ws([&](auto& ws) {
    ws.async_close(
        websocket::close_reason(static_cast<websocket::close_code>(close_code_), close_reason_),
        beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
  });
}

void WebSocketSession::on_close(beast::error_code ec) {
  if (ec && !is_normal_end(ec)) {
    context_.log.warn("conn={} event=close_failed error={}", id_, base::quote(ec.message()));
  }
}

void WebSocketSession::drop_slow_client() {
  context_.log.warn(
      "conn={} event=too_slow remote={} unread_bytes={} msg=\"closed with 4003 (too_slow)\"", id_,
      remote_, queued_bytes_);
  // The front frame is being written (its buffer must live until the write completes); every
  // other frame goes now, so a client that stopped reading holds at most one frame.
  if (queue_.size() > 1) {
    queue_.erase(queue_.begin() + 1, queue_.end());
    set_queued_bytes(queue_.front()->size());
  }
  // Leave the documents at once: they stop sending here, and the client resyncs on reconnect.
  if (connection_) connection_->on_closed();
  on_close_request(proto::CloseCode::too_slow, "too slow: reads fall behind");
  slow_timer_.emplace(executor());
  slow_timer_->expires_after(std::chrono::milliseconds(context_.config.limits.idle_timeout_ms));
  slow_timer_->async_wait(
      beast::bind_front_handler(&WebSocketSession::on_slow_deadline, shared_from_this()));
}

void WebSocketSession::on_slow_deadline(beast::error_code ec) {
  if (ec || finished_) return;
  on_abort();
}

void WebSocketSession::abort() {
  net::post(executor(), beast::bind_front_handler(&WebSocketSession::on_abort, shared_from_this()));
}

void WebSocketSession::on_abort() {
  beast::error_code ignored;
  tcp().socket().close(ignored);
}

void WebSocketSession::finish(beast::error_code ec) {
  if (finished_) return;
  finished_ = true;
  if (ec == websocket::error::message_too_big) {
    // Beast has already sent close 1009 (too_big) before completing the read with this error.
    context_.log.warn("conn={} event=too_big remote={} max_frame_bytes={} msg=\"closed with 1009\"",
                      id_, remote_, context_.config.limits.max_frame_bytes);
  } else if (!is_normal_end(ec)) {
    context_.log.warn("conn={} event=read_failed remote={} error={}", id_, remote_,
                      base::quote(ec.message()));
  }
  hello_timer_.cancel();
  expiry_timer_.cancel();
  if (slow_timer_) slow_timer_->cancel();
  ip_slot_.reset();
  socket_slot_.reset();
  queue_.clear();
  set_queued_bytes(0);
  if (connection_) {
    connection_->on_closed();
    connection_.reset();
    // By the server (close_sent_: its code names why), or by the client or the network.
    const std::string_view reason = close_sent_ ? base::close_reason_name(close_code_)
                                    : ec == websocket::error::message_too_big ? "too_big"
                                    : is_normal_end(ec)                       ? "client"
                                                                              : "error";
    context_.metrics.count_close(reason);
    context_.log.info("conn={} event=close reason={}", id_, reason);
    context_.metrics.connections.Decrement();
    context_.sessions.remove(id_);
  }
  buffer_.clear();
  buffer_.shrink_to_fit();
}

}  // namespace weft::server::transport
