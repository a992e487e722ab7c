// websocket_session.hpp — one client's WebSocket: Beast on one side, a Connection on the other.
//
// The session accepts the upgrade, then reads messages one at a time and hands each to its
// Connection (the protocol core), and implements Peer so that the core and the documents can
// send frames and close it from any thread. All its state lives on the socket's strand:
// send() and close() post there. Outbound frames wait in a queue (one async_write at a time),
// bounded by max_outbound_bytes; a client that lets it fill is closed with too_slow. Paced
// sources (a joiner's catch-up, send_paced()) produce their frames into that queue only as the
// socket takes what is queued (documents/outbound_queue.hpp); a client that takes nothing for
// half of idle_timeout_ms while a source waits is closed with too_slow too.
//
// Liveness is the session's, not Beast's (whose idle timeout cuts the TCP connection without a
// close frame): any bytes or control frame from the client count as heard; after half of
// idle_timeout_ms unheard it is pinged, and after idle_timeout_ms unheard it is closed with
// idle_timeout (4004). Messages are read in chunks so that a large one arriving slowly counts.
//
// Lifetime: shared (async operations and the documents the client joined hold it). The session
// owns its Connection and the Connection holds the session as its Peer; finish() breaks that
// cycle by destroying the Connection once, when the socket is done (error, close, timeout).
// Only sessions registered in OpenSessions get a Connection, so shutdown, which waits until that
// set is empty, never stops the io_context with a cycle left.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "server/base/principal.hpp"
#include "server/connections/connection.hpp"
#include "server/documents/outbound_queue.hpp"
#include "server/documents/peer.hpp"
#include "server/transport/client_stream.hpp"
#include "server/transport/ip_limiter.hpp"
#include "server/transport/open_sessions.hpp"
#include "server/transport/transport_context.hpp"

namespace weft::server::transport {

class WebSocketSession final : public documents::Peer,
                               public OpenSession,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  // `tls_context` (null for a plain stream) is kept alive with the stream.
  WebSocketSession(ClientStream&& stream, std::shared_ptr<boost::asio::ssl::context> tls_context,
                   const TransportContext& context);
  ~WebSocketSession() override;

  // Accepts the upgrade `request` (already read by the HttpSession) and starts reading, on
  // behalf of `principal` (who the request's token says the client is; auth.hpp).
  void run(boost::beast::http::request<boost::beast::http::string_body> request,
           base::Principal principal = base::Principal::development());

  void send(std::shared_ptr<const std::string> frame) override;
  void send_paced(std::shared_ptr<documents::FrameSource> frames) override;
  void close(proto::CloseCode code, std::string_view reason) override;
  // Drops the TCP connection without a close handshake (shutdown, after a deadline).
  void abort() override;
  // Keeps the client address's connection slot (max_connections_per_ip) until the socket is done.
  void hold_ip_slot(IpLimiter::Ticket slot) { ip_slot_.emplace(std::move(slot)); }
  // Keeps the socket's slot (max_connections, max_sockets_per_ip; listener.hpp) the same way.
  void hold_socket_slot(std::optional<IpLimiter::Ticket> slot) { socket_slot_ = std::move(slot); }

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  // Something arrived from the client: a chunk of a message or a control frame.
  void heard();
  void on_control(boost::beast::websocket::frame_type kind, boost::beast::string_view payload);
  void arm_liveness(std::chrono::steady_clock::time_point at);
  void on_liveness_timer(boost::beast::error_code ec);
  void on_ping(boost::beast::error_code ec);
  void on_hello_timeout(boost::beast::error_code ec);
  // Token expiry: (re)arms expiry_timer_ for the connection's current token, if it changed.
  void arm_expiry();
  void wait_for_expiry(std::int64_t expires);
  void on_expiry(std::int64_t expires, boost::beast::error_code ec);
  void on_send(std::shared_ptr<const std::string> frame);
  void on_send_paced(std::shared_ptr<documents::FrameSource> frames);
  // Starts writing the queue's front frame, if any and no write is in flight.
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  // The outbound gauge (metrics.hpp) follows queue_.bytes().
  void update_queued_bytes();
  // While a paced source waits: a client whose socket has not taken the frame being written
  // within stall_timeout() is closed with too_slow (drop_slow_client).
  [[nodiscard]] std::chrono::steady_clock::duration stall_timeout() const;
  void arm_stall_timer();
  void on_stall_timer(boost::beast::error_code ec);
  void on_close_request(proto::CloseCode code, std::string reason);
  void do_close();
  void on_close(boost::beast::error_code ec);
  void on_abort();
  // More than max_outbound_bytes queued: free the queue now, leave the documents, close with
  // too_slow; a client that does not take even the close within idle_timeout_ms is dropped.
  void drop_slow_client();
  // Every close the server starts: a client that does not take it (it does not read, so the
  // queue before the close frame is stuck) or does not answer it has its connection cut
  // idle_timeout_ms later. Beast's handshake timeout covers only a close frame already sent.
  void arm_close_deadline();
  void on_close_deadline(boost::beast::error_code ec);
  // Ends the connection (Connection::on_closed, bookkeeping) exactly once.
  void finish(boost::beast::error_code ec);

  // Visits ws_ (plain or TLS) with `f`.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    return std::visit(std::forward<F>(f), ws_);
  }

  [[nodiscard]] boost::asio::any_io_executor executor() {
    return with_ws([](auto& ws) { return ws.get_executor(); });
  }
  [[nodiscard]] boost::beast::tcp_stream& tcp() {
    return with_ws(
        [](auto& ws) -> boost::beast::tcp_stream& { return boost::beast::get_lowest_layer(ws); });
  }

  using WsStream = std::variant<boost::beast::websocket::stream<PlainStream>,
                                boost::beast::websocket::stream<TlsStream>>;
  [[nodiscard]] static WsStream make_ws(ClientStream&& stream);

  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // null for plain; outlives ws_
  WsStream ws_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer hello_timer_;
  const TransportContext context_;
  std::string remote_;
  std::uint64_t id_ = 0;
  std::optional<connections::Connection> connection_;  // from the accepted upgrade until finish()
  base::Principal principal_;                          // handed to the Connection on accept
  boost::asio::steady_timer expiry_timer_;
  std::optional<std::int64_t> expiry_armed_;  // the exp expiry_timer_ waits for
  documents::OutboundQueue queue_;            // its front is being written while writing_
  std::size_t queued_bytes_ = 0;              // queue_.bytes() as last added to the outbound gauge
  bool writing_ = false;
  std::chrono::steady_clock::time_point write_started_{};  // of the write in flight, or the last
  std::optional<boost::asio::steady_timer> stall_timer_;
  bool stall_armed_ = false;
  bool closing_ = false;  // no more sends; the close frame follows the queue
  bool close_sent_ = false;
  bool finished_ = false;
  bool full_frames_ = false;  // hello read: messages up to max_frame_bytes, not the pre-hello cap
  proto::CloseCode close_code_ = proto::CloseCode::normal;
  std::string close_reason_;
  std::optional<IpLimiter::Ticket> ip_slot_;                 // released when the socket is done
  std::optional<IpLimiter::Ticket> socket_slot_;             // the same
  std::optional<boost::asio::steady_timer> close_deadline_;  // arm_close_deadline()
  boost::asio::steady_timer liveness_timer_;
  std::chrono::steady_clock::time_point last_heard_{};
  bool pinged_ = false;          // a ping went out since last_heard_
  bool ping_in_flight_ = false;  // Beast allows one ping or close at a time: do_close waits
};

}  // namespace weft::server::transport
