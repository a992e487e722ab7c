// http_session.hpp — one HTTP/1.1 connection: /healthz, static files, and the WebSocket upgrade.
//
// Routes: GET /healthz -> JSON from the registry and the metrics; an upgrade on /ws or /ws/... ->
// hands the socket to a WebSocketSession (other upgrade paths: 404); GET and HEAD of anything else
// -> the static directory (static_files.hpp); other methods -> 405; a request over body_limit ->
// 413. Keep-alive; a request must arrive within request_timeout. One request at a time: the
// response is written before the next request is read.
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
#include <boost/beast/http/string_body.hpp>

#include "server/transport/client_stream.hpp"
#include "server/transport/ip_limiter.hpp"
#include "server/transport/transport_context.hpp"

namespace weft::server::transport {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  static constexpr std::size_t body_limit = 64 * 1024;
  static constexpr std::chrono::seconds request_timeout{30};

  // A plain connection.
  HttpSession(boost::asio::ip::tcp::socket&& socket, TransportContext context);
  // A TLS connection after its handshake (tls_handshake.hpp): `buffered` holds what was read past
  // the handshake; `tls_context` is kept alive with the stream.
  HttpSession(TlsStream&& stream, std::shared_ptr<boost::asio::ssl::context> tls_context,
              boost::beast::flat_buffer&& buffered, TransportContext context);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(Request&& request);
  void upgrade(Request&& request);
  // /api/... (http_api.hpp) and GET /metrics (metrics.hpp).
  void handle_api(Request&& request);
  void on_api_response(bool keep_alive,
                       boost::beast::http::response<boost::beast::http::string_body> response);
  void send_metrics(const Request& request);
  [[nodiscard]] std::optional<IpLimiter::Ticket> acquire_ip_slot();
  void send_text(boost::beast::http::status status, std::string_view content_type, std::string body,
                 bool keep_alive);
  void send_file(const Request& request);
  template <class Response>
  void write(std::shared_ptr<Response> response);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();

  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // null for plain; outlives stream_
  ClientStream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> response_;  // the response being written; kept alive until on_write
  TransportContext context_;
};

}  // namespace weft::server::transport
