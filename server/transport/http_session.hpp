// http_session.hpp — one HTTP/1.1 connection: /healthz, static files, and the WebSocket upgrade.
//
// Routes: GET /healthz -> JSON from the registry and the metrics; an upgrade on /ws or /ws/... ->
// hands the socket to a WebSocketSession (other upgrade paths: 404); GET and HEAD of anything else
// -> the static directory (static_files.hpp); other methods -> 405; a request over body_limit ->
// 413. Keep-alive; one request at a time: the response is written before the next request is read.
//
// Bounds (issue 13): the headers are read first, within config.resources.http_idle_timeout (the
// first request as every later one: an idle kept-alive connection is closed), then the body
// within request_timeout. A Transfer-Encoding other than exactly `chunked`, or one beside a
// Content-Length, is refused with 400 before any body is read (request smuggling). The body of an
// /api/ request is read only once its token is verified, so an unauthenticated client never
// makes the server hold more than body_limit (64 KiB) of it; only then may it reach
// api::HttpApi::body_limit. Log exports are written as chunks, one piece of the log at a time.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/api/log_export.hpp"
#include "server/base/principal.hpp"
#include "server/transport/client_stream.hpp"
#include "server/transport/ip_limiter.hpp"
#include "server/transport/transport_context.hpp"

namespace weft::server::transport {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  static constexpr std::size_t body_limit = 64 * 1024;
  static constexpr std::chrono::seconds request_timeout{30};

  // A plain connection. `socket_slot` (listener.hpp) is held until the socket is done.
  HttpSession(boost::asio::ip::tcp::socket&& socket, TransportContext context,
              std::optional<IpLimiter::Ticket> socket_slot = std::nullopt);
  // A TLS connection after its handshake (tls_handshake.hpp): `buffered` holds what was read past
  // the handshake; `tls_context` is kept alive with the stream.
  HttpSession(TlsStream&& stream, std::shared_ptr<boost::asio::ssl::context> tls_context,
              boost::beast::flat_buffer&& buffered, TransportContext context,
              std::optional<IpLimiter::Ticket> socket_slot = std::nullopt);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void do_read();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  // An error that ended a read: the answer (413, 400) or nothing; true if there was an error.
  bool answer_read_error(boost::beast::error_code ec);
  void handle(Request&& request);
  void upgrade(Request&& request);
  // /api/... (http_api.hpp) and GET /metrics (metrics.hpp).
  void handle_api(Request&& request);
  void on_api_response(bool keep_alive,
                       boost::beast::http::response<boost::beast::http::string_body> response);
  // http_session_export.cpp: a streamed API answer (a log export): the head, then each piece as
  // a chunk, then the last.
  void on_api_stream(bool keep_alive,
                     boost::beast::http::response<boost::beast::http::string_body> head,
                     std::shared_ptr<api::LogExport> body);
  void on_export_written(boost::beast::error_code ec, std::size_t bytes);
  void on_export_piece(api::LogExport::Piece piece);
  void on_export_end(boost::beast::error_code ec, std::size_t bytes);
  void send_metrics(const Request& request);
  [[nodiscard]] std::optional<IpLimiter::Ticket> acquire_ip_slot();
  void send_text(boost::beast::http::status status, std::string_view content_type, std::string body,
                 bool keep_alive);
  void send_file(const Request& request);
  template <class Response>
  void write(std::shared_ptr<Response> response);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  // After our side is shut: read and discard until the client closes (or the timeout), so that
  // unread request bytes do not turn the close into a reset that loses the answer.
  void do_drain();

  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // null for plain; outlives stream_
  ClientStream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> response_;  // the response being written; kept alive until on_write
  TransportContext context_;
  std::optional<IpLimiter::Ticket> socket_slot_;
  std::optional<base::Principal> principal_;  // of the /api/ request being read, once verified
  // The log export being written, its head and the piece in flight.
  std::shared_ptr<api::LogExport> export_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> export_head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      export_serializer_;
  std::string export_piece_;
  bool export_keep_alive_ = false;
};

}  // namespace weft::server::transport
