// connection.hpp — one WebSocket connection to a Weft server (ws:// or wss://): connect, a read
// loop that hands every binary message to its owner, a write queue, and the close code the server
// sent.
//
// Transport only: it knows nothing of frames or documents (session.hpp speaks the protocol;
// `weft-bench load` drives its typists with it directly). All handlers run on the io_context (or
// the strand-free executor) the connection was created with; the owner calls its members from
// that same thread only. Beast's async operations keep the object alive (shared_ptr); the owner
// calls detach() before it goes away, after which no event reaches it.
//
// With TLS (client/tls.hpp) the TLS handshake runs between the TCP connect and the WebSocket
// handshake; its failure reaches on_close as "tls handshake: ...". Without TLS the stream is the
// plain one, as before.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "client/tls.hpp"

namespace weft::client {

// How a connection ended: the close code the server sent (if any) and what went wrong locally.
struct CloseInfo {
  std::optional<std::uint16_t> code;  // the WebSocket close frame's code, if one arrived
  std::string reason;                 // close frame reason, or the transport error message
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Events {
    std::function<void()> on_open;  // handshake done; a failure goes to on_close
    std::function<void(std::string_view message)> on_message;
    std::function<void(const CloseInfo&)> on_close;
  };

  // Use create(): async handlers hold shared_ptrs to the connection.
  Connection(boost::asio::io_context& ioc, Events events);
  [[nodiscard]] static std::shared_ptr<Connection> create(boost::asio::io_context& ioc,
                                                          Events events);

  // Resolves, connects and performs the WebSocket handshake on ws://host:port/path (wss:// when
  // `tls` is given: the TLS handshake comes first, with SNI for a DNS name), then reads.
  void open(const std::string& host, std::uint16_t port, const std::string& path = "/ws",
            const std::optional<TlsOptions>& tls = std::nullopt);
  // Queues one binary message; messages are written in order, one at a time.
  void send(std::string message);
  // Sends a close frame (normal closure) once the queue is written; on_close follows.
  void close();
  // Drops the TCP connection at once, without a close frame: what a crash or a cut cable does.
  void abort();
  // No event reaches the owner after this; pending operations are cancelled.
  void detach();

  [[nodiscard]] bool is_open() const { return open_ && !closed_; }
  [[nodiscard]] std::size_t queued_bytes() const { return queued_bytes_; }

 private:
  void on_resolve(boost::beast::error_code ec,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void on_connect(boost::beast::error_code ec, const boost::asio::ip::tcp::endpoint& endpoint);
  void on_tls_handshake(boost::beast::error_code ec);
  void start_ws_handshake();
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void send_close();
  void on_close_sent(boost::beast::error_code ec);
  void finish(const CloseInfo& info);
  [[nodiscard]] boost::beast::tcp_stream& transport();  // the TCP layer of either stream

  using PlainWs = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using TlsWs = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  boost::asio::ip::tcp::resolver resolver_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // outlives ws_, which refers to it
  std::variant<PlainWs, TlsWs> ws_;                         // TlsWs once open() was given TLS
  boost::beast::flat_buffer buffer_;
  Events events_;
  std::string host_;
  std::string path_;
  std::deque<std::string> queue_;  // front is being written while writing_
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;  // close() called: the close frame goes after the queue
  bool closed_ = false;   // on_close delivered (or detached)
};

}  // namespace weft::client
