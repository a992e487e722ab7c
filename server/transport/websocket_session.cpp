// websocket_session.cpp — the read loop, the write queue and the close handshake of one client.
#include "server/transport/websocket_session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "server/base/clock.hpp"
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
// A paced source produces its next frame once fewer bytes than this wait to be written: with the
// frame being written and the kernel's socket buffer the link stays busy, and a client that stops
// reading holds about one catch-up frame here.
constexpr std::size_t paced_low_watermark = 64 * 1024;
// Messages are read in pieces of at most this many bytes, each of which counts as the client
// being heard (a large message on a slow link is not silence).
constexpr std::size_t read_chunk_bytes = 64 * 1024;

// Unix seconds now, the unit of a token's exp.
std::int64_t unix_seconds() { return base::now_us() / 1'000'000; }

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
      expiry_timer_(executor()),
      queue_(context.config.limits.max_outbound_bytes, paced_low_watermark),
      liveness_timer_(executor()) {}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::run(beast::http::request<beast::http::string_body> request,
                           base::Principal principal) {
  principal_ = std::move(principal);
  // No idle timeout of Beast's: it would cut a silent client without a close frame, so the
  // session pings and closes with idle_timeout itself (on_liveness_timer). The handshake timeout
  // also bounds the close handshake.
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = std::chrono::seconds(10);
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;
  with_ws([&](auto& ws) {
    ws.set_option(timeout);
    ws.control_callback(beast::bind_front_handler(&WebSocketSession::on_control, this));
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
  heard();
  arm_liveness(last_heard_ + std::chrono::milliseconds(context_.config.limits.idle_timeout_ms / 2));
  do_read();
}

void WebSocketSession::do_read() {
  with_ws([&](auto& ws) {
    ws.async_read_some(buffer_, read_chunk_bytes,
                       beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
  });
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) return finish(ec);
  context_.metrics.bytes_in.Increment(static_cast<double>(bytes));
  heard();
  if (!with_ws([](auto& ws) { return ws.is_message_done(); })) return do_read();
  if (!closing_ && connection_) {
    const auto data = buffer_.cdata();
    connection_->on_message(std::string_view(static_cast<const char*>(data.data()), data.size()),
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

void WebSocketSession::heard() {
  last_heard_ = std::chrono::steady_clock::now();
  pinged_ = false;
}

void WebSocketSession::on_control(websocket::frame_type /*kind*/, beast::string_view /*payload*/) {
  // A pong answers our ping, a ping or a close is the client speaking: all are signs of life.
  heard();
}

// The timer is not moved on every read: when it fires it looks at last_heard_ and waits again
// from there if the client was heard since.
void WebSocketSession::arm_liveness(std::chrono::steady_clock::time_point at) {
  liveness_timer_.expires_at(at);
  liveness_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_liveness_timer, shared_from_this()));
}

void WebSocketSession::on_liveness_timer(beast::error_code ec) {
  if (ec || finished_ || closing_) return;
  const auto idle = std::chrono::milliseconds(context_.config.limits.idle_timeout_ms);
  const auto silent = std::chrono::steady_clock::now() - last_heard_;
  if (silent >= idle) {
    context_.log.warn(
        "conn={} event=idle_timeout remote={} silent_ms={} msg=\"closed with 4004 "
        "(idle_timeout)\"",
        id_, remote_, std::chrono::duration_cast<std::chrono::milliseconds>(silent).count());
    // Presumed gone: leave the documents now (the others stop seeing its presence) rather than
    // after a close handshake it will likely never answer.
    if (connection_) connection_->on_closed();
    return on_close_request(proto::CloseCode::idle_timeout, "idle timeout: no reply to ping");
  }
  // A ping still in flight (stuck behind a write the client does not take) serves as this one.
  if (silent >= idle / 2 && !pinged_) {
    pinged_ = true;
    if (!ping_in_flight_) {
      ping_in_flight_ = true;
      with_ws([&](auto& ws) {
        ws.async_ping({},
                      beast::bind_front_handler(&WebSocketSession::on_ping, shared_from_this()));
      });
    }
  }
  arm_liveness(last_heard_ + (pinged_ ? idle : idle / 2));
}

void WebSocketSession::on_ping(beast::error_code /*ec*/) {
  // A failed ping needs nothing here: the read loop sees the same failure and finishes.
  ping_in_flight_ = false;
  if (closing_ && !writing_) do_write();  // a close that waited for the ping (do_close)
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
  if (expires) wait_for_expiry(*expires);
}

void WebSocketSession::wait_for_expiry(std::int64_t expires) {
  // In whole seconds and at most a day at a time: exp may be as late as the year 9999, and the
  // clocks' nanoseconds end in 2262 (a time_point there overflows). on_expiry waits again.
  constexpr std::int64_t max_wait_s = 24 * 60 * 60;
  const std::int64_t now = unix_seconds();
  const std::int64_t left = expires <= now ? 0 : std::min(expires - now, max_wait_s);
  expiry_timer_.expires_after(std::chrono::seconds(left));
  expiry_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_expiry, shared_from_this(), expires));
}

void WebSocketSession::on_expiry(std::int64_t expires, beast::error_code ec) {
  if (ec || finished_ || !connection_ || expiry_armed_ != expires) return;
  if (unix_seconds() < expires) return wait_for_expiry(expires);
  connection_->on_token_expired();
}

void WebSocketSession::send(std::shared_ptr<const std::string> frame) {
  net::post(executor(), beast::bind_front_handler(&WebSocketSession::on_send, shared_from_this(),
                                                  std::move(frame)));
}

void WebSocketSession::on_send(std::shared_ptr<const std::string> frame) {
  if (closing_ || finished_) return;
  if (!queue_.push(std::move(frame))) return drop_slow_client();
  update_queued_bytes();
  do_write();
}

void WebSocketSession::send_paced(std::shared_ptr<documents::FrameSource> frames) {
  net::post(executor(), beast::bind_front_handler(&WebSocketSession::on_send_paced,
                                                  shared_from_this(), std::move(frames)));
}

void WebSocketSession::on_send_paced(std::shared_ptr<documents::FrameSource> frames) {
  if (closing_ || finished_) return;
  queue_.push(std::move(frames));
  update_queued_bytes();
  do_write();
  arm_stall_timer();
}

void WebSocketSession::do_write() {
  if (writing_) return;
  const auto* frame = queue_.front();
  update_queued_bytes();  // front() may have produced from a source
  if (frame == nullptr) {
    if (closing_) do_close();
    return;
  }
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  with_ws([&](auto& ws) {
    ws.async_write(net::buffer(**frame),
                   beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
  });
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t bytes) {
  writing_ = false;
  if (ec) {
    queue_.clear();
    update_queued_bytes();
    return;  // the read loop sees the same failure and finishes
  }
  context_.metrics.bytes_out.Increment(static_cast<double>(bytes));
  queue_.pop();
  do_write();
}

void WebSocketSession::update_queued_bytes() {
  const std::size_t bytes = queue_.bytes();
  prometheus::Gauge& gauge = context_.metrics.outbound_bytes;
  if (bytes >= queued_bytes_) {
    gauge.Increment(static_cast<double>(bytes - queued_bytes_));
  } else {
    gauge.Decrement(static_cast<double>(queued_bytes_ - bytes));
  }
  queued_bytes_ = bytes;
}

std::chrono::steady_clock::duration WebSocketSession::stall_timeout() const {
  // Half the idle timeout: a client that stops reading and sends nothing is closed with too_slow
  // before the idle timeout drops it without a close code.
  return std::chrono::milliseconds(context_.config.limits.idle_timeout_ms / 2);
}

void WebSocketSession::arm_stall_timer() {
  if (stall_armed_ || !queue_.has_sources()) return;
  if (!stall_timer_) stall_timer_.emplace(executor());
  stall_armed_ = true;
  stall_timer_->expires_at(writing_ ? write_started_ + stall_timeout()
                                    : std::chrono::steady_clock::now() + stall_timeout());
  stall_timer_->async_wait(
      beast::bind_front_handler(&WebSocketSession::on_stall_timer, shared_from_this()));
}

void WebSocketSession::on_stall_timer(beast::error_code ec) {
  stall_armed_ = false;
  if (ec || closing_ || finished_ || !queue_.has_sources()) return;
  if (writing_ && std::chrono::steady_clock::now() - write_started_ >= stall_timeout()) {
    return drop_slow_client();
  }
  arm_stall_timer();  // the socket took a frame since: wait from the write in flight
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
  // A catch-up not produced yet ends here (and what was sent after it): the client resyncs.
  queue_.drop_sources();
  update_queued_bytes();
  arm_close_deadline();
  if (!writing_) do_write();  // otherwise on_write() closes once the queue is written
}

void WebSocketSession::do_close() {
  if (close_sent_ || finished_ || ping_in_flight_) return;
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
      "conn={} event=too_slow remote={} unread_bytes={} catching_up={} "
      "msg=\"closed with 4003 (too_slow)\"",
      id_, remote_, queued_bytes_, queue_.has_sources());
  // The front frame is being written (its buffer must live until the write completes); every
  // other frame and every paced source goes now, so a client that stopped reading holds at most
  // one frame.
  queue_.drop_all_but_front();
  update_queued_bytes();
  // Leave the documents at once: they stop sending here, and the client resyncs on reconnect.
  if (connection_) connection_->on_closed();
  on_close_request(proto::CloseCode::too_slow, "too slow: reads fall behind");
}

void WebSocketSession::arm_close_deadline() {
  if (close_deadline_) return;
  close_deadline_.emplace(executor());
  close_deadline_->expires_after(std::chrono::milliseconds(context_.config.limits.idle_timeout_ms));
  close_deadline_->async_wait(
      beast::bind_front_handler(&WebSocketSession::on_close_deadline, shared_from_this()));
}

void WebSocketSession::on_close_deadline(beast::error_code ec) {
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
  if (close_deadline_) close_deadline_->cancel();
  liveness_timer_.cancel();
  if (stall_timer_) stall_timer_->cancel();
  ip_slot_.reset();
  socket_slot_.reset();
  queue_.clear();
  update_queued_bytes();
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
