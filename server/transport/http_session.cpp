// http_session.cpp — request routing and responses of the HTTP side of the port.
#include "server/transport/http_session.hpp"

#include <functional>
#include <iostream>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "server/base/version.hpp"
#include "server/transport/websocket_session.hpp"

namespace weft::server::transport {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

[[nodiscard]] std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

[[nodiscard]] bool is_websocket_path(std::string_view path) {
  return path == "/ws" || path.starts_with("/ws/");
}

// `text` as the inside of a JSON string.
[[nodiscard]] std::string json_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// /healthz: what is loaded and open now, read from the registry and the metrics; "degraded",
// with the store's reason, while the store cannot take writes (reads still work).
[[nodiscard]] std::string health_json(const TransportContext& context) {
  const auto connections = static_cast<std::uint64_t>(context.metrics.connections.Value());
  const base::StoreStatus::View store =
      context.store != nullptr ? context.store->get() : base::StoreStatus::View{};
  std::string store_fields =
      R"(,"store":")" + std::string(store.writable ? "ok" : "read_only") + "\"";
  if (!store.writable) store_fields += R"(,"store_reason":")" + json_escaped(store.reason) + "\"";
  store_fields += R"(,"backend":")" +
                  std::string(context.config.redis_url.empty() ? "rocksdb" : "redis") + "\"";
  if (!store.durable) store_fields += R"(,"durability":"relaxed")";
  store_fields += R"(,"node":")" + json_escaped(context.config.node_id) + "\"";
  return R"({"status":")" + std::string(store.writable ? "ok" : "degraded") + R"(","version":")" +
         std::string(base::server_version) + R"(","documents":)" +
         std::to_string(context.registry.size()) + R"(,"connections":)" +
         std::to_string(connections) + R"(,"auth":")" +
         (context.verifier.enabled() ? "jwt" : "none") + "\"" + store_fields + "}";
}

// Why a request's framing is refused (request smuggling, RFC 9112 §6.1, §6.3), or empty: a
// Transfer-Encoding must be exactly `chunked`, once, and never beside a Content-Length.
[[nodiscard]] std::string_view framing_refusal(const http::request_header<>& header) {
  const auto encodings = header.count(http::field::transfer_encoding);
  if (encodings == 0) return {};
  if (header.count(http::field::content_length) != 0) {
    return "Transfer-Encoding and Content-Length together";
  }
  if (encodings != 1 || !beast::iequals(header[http::field::transfer_encoding], "chunked")) {
    return "a Transfer-Encoding other than chunked";
  }
  return {};
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, TransportContext context,
                         std::optional<IpLimiter::Ticket> socket_slot)
    : stream_(std::in_place_type<PlainStream>, std::move(socket)),
      context_(context),
      socket_slot_(std::move(socket_slot)) {}

HttpSession::HttpSession(TlsStream&& stream, std::shared_ptr<net::ssl::context> tls_context,
                         beast::flat_buffer&& buffered, TransportContext context,
                         std::optional<IpLimiter::Ticket> socket_slot)
    : tls_context_(std::move(tls_context)),
      stream_(std::in_place_type<TlsStream>, std::move(stream)),
      buffer_(std::move(buffered)),
      context_(context),
      socket_slot_(std::move(socket_slot)) {}

void HttpSession::run() {
  // Starts on the socket's strand, like every later handler of this session.
  net::dispatch(tcp_layer(stream_).get_executor(),
                beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
  parser_.emplace();
  // The parser checks a Content-Length against this with the headers: the largest any route
  // takes. on_header then holds each request to its route's limit before reading the body.
  parser_->body_limit(api::HttpApi::body_limit);
  principal_.reset();
  if (buffer_.size() == 0 && buffer_.capacity() > body_limit) buffer_.shrink_to_fit();
  tcp_layer(stream_).expires_after(context_.config.resources.http_idle_timeout);
  std::visit(
      [&](auto& stream) {
        http::async_read_header(
            stream, buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
      },
      stream_);
}

bool HttpSession::answer_read_error(beast::error_code ec) {
  if (!ec) return false;
  if (ec == http::error::end_of_stream) {
    do_close();
  } else if (ec == http::error::body_limit || ec == http::error::header_limit) {
    send_text(http::status::payload_too_large, "text/plain; charset=utf-8", "request too large\n",
              false);
  } else if (!is_normal_end(ec)) {
    send_text(http::status::bad_request, "text/plain; charset=utf-8",
              "bad request: " + ec.message() + "\n", false);
  }
  return true;
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
  if (answer_read_error(ec)) return;
  const auto& header = parser_->get();
  if (const std::string_view refusal = framing_refusal(header); !refusal.empty()) {
    return send_text(http::status::bad_request, "text/plain; charset=utf-8",
                     "bad request: " + std::string(refusal) + "\n", false);
  }
  tcp_layer(stream_).expires_after(request_timeout);
  if (context_.api != nullptr && api::HttpApi::serves(header.target()) &&
      !beast::websocket::is_upgrade(header)) {
    // Same authentication as the WebSocket upgrade (PROTOCOL.md §13), before the body is read:
    // no valid token, 401 and no more than body_limit of it ever held.
    auto principal =
        context_.verifier.verify_request(header[http::field::authorization], header.target());
    if (!principal) {
      return send_text(
          http::status::unauthorized, "application/json",
          R"({"error":{"code":"unauthorized","message":"a valid access token is required"}})",
          false);
    }
    principal_.emplace(std::move(*principal));
  }
  // Only a verified /api/ request may have a body above body_limit.
  const std::size_t limit = principal_ ? api::HttpApi::body_limit : body_limit;
  if (parser_->content_length().value_or(0) > limit) {
    return send_text(http::status::payload_too_large, "text/plain; charset=utf-8",
                     "request too large\n", false);
  }
  parser_->body_limit(limit);  // a chunked body counts against it as it arrives
  if (parser_->is_done()) return on_read({}, 0);
  std::visit(
      [&](auto& stream) {
        http::async_read(stream, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
      },
      stream_);
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (answer_read_error(ec)) return;
  handle(parser_->release());
}

void HttpSession::handle(Request&& request) {
  const std::string_view path = path_of(request.target());
  const bool keep_alive = request.keep_alive();
  const bool is_read = request.method() == http::verb::get || request.method() == http::verb::head;
  if (beast::websocket::is_upgrade(request)) {
    if (is_websocket_path(path)) return upgrade(std::move(request));
    return send_text(http::status::not_found, "text/plain; charset=utf-8", "not found\n", false);
  }
  if (context_.api != nullptr && api::HttpApi::serves(request.target())) {
    return handle_api(std::move(request));
  }
  if (request.body().size() > body_limit) {
    return send_text(http::status::payload_too_large, "text/plain; charset=utf-8",
                     "request too large\n", false);
  }
  if (path == "/metrics" && is_read) return send_metrics(request);
  if (!is_read) {
    return send_text(http::status::method_not_allowed, "text/plain; charset=utf-8",
                     "method not allowed\n", keep_alive);
  }
  const bool head = request.method() == http::verb::head;
  if (path == "/healthz") {
    std::string body = health_json(context_);
    return send_text(http::status::ok, "application/json", head ? std::string() : std::move(body),
                     keep_alive);
  }
  send_file(request);
}

void HttpSession::upgrade(Request&& request) {
  // Authentication (PROTOCOL.md §13): no valid token, no WebSocket.
  const base::TokenVerifier& verifier = context_.verifier;
  auto principal = verifier.verify_request(request[http::field::authorization], request.target());
  if (!principal) {
    return send_text(http::status::unauthorized, "text/plain; charset=utf-8",
                     "unauthorized: " + principal.error().reason + "\n", false);
  }
  std::optional<IpLimiter::Ticket> ip_slot = acquire_ip_slot();
  if (context_.ip_limiter != nullptr && !ip_slot) {
    return send_text(http::status::too_many_requests, "text/plain; charset=utf-8",
                     "too_many_connections: at most " +
                         std::to_string(context_.config.limits.max_connections_per_ip) +
                         " WebSockets per address\n",
                     false);
  }
  tcp_layer(stream_).expires_never();
  auto session =
      std::make_shared<WebSocketSession>(std::move(stream_), std::move(tls_context_), context_);
  if (ip_slot) session->hold_ip_slot(std::move(*ip_slot));
  session->hold_socket_slot(std::move(socket_slot_));
  session->run(std::move(request), std::move(*principal));
}

// A connection slot of the client's address (PROTOCOL.md §9, max_connections_per_ip); none when
// the address holds them all, or when there is no limiter.
std::optional<IpLimiter::Ticket> HttpSession::acquire_ip_slot() {
  if (context_.ip_limiter == nullptr) return std::nullopt;
  beast::error_code ec;
  const auto endpoint = tcp_layer(stream_).socket().remote_endpoint(ec);
  if (ec) return std::nullopt;
  return context_.ip_limiter->acquire(endpoint.address().to_string());
}

void HttpSession::handle_api(Request&& request) {
  const bool keep_alive = request.keep_alive();
  // on_header verified the token; its rights decide what the caller may read and write
  // (development mode: everything).
  if (!principal_) {
    return send_text(
        http::status::unauthorized, "application/json",
        R"({"error":{"code":"unauthorized","message":"a valid access token is required"}})", false);
  }
  std::optional<std::string> user;
  if (context_.verifier.enabled()) user = principal_->user_id;
  api::ApiCaller caller{[rights = std::move(*principal_)](std::string_view doc, bool write) {
                          const base::Access access = rights.access(doc);
                          return write ? access == base::Access::write
                                       : access != base::Access::none;
                        },
                        std::move(user)};
  principal_.reset();
  context_.api->handle(
      request, caller,
      [self = shared_from_this(), keep_alive](api::HttpApi::Response response) {
        net::post(
            tcp_layer(self->stream_).get_executor(),
            std::bind_front(&HttpSession::on_api_response, self, keep_alive, std::move(response)));
      },
      [self = shared_from_this(), keep_alive](api::HttpApi::Response head,
                                              std::shared_ptr<api::LogExport> body) {
        net::post(tcp_layer(self->stream_).get_executor(),
                  std::bind_front(&HttpSession::on_api_stream, self, keep_alive, std::move(head),
                                  std::move(body)));
      });
}

void HttpSession::on_api_response(bool keep_alive, http::response<http::string_body> response) {
  response.keep_alive(keep_alive);
  write(std::make_shared<http::response<http::string_body>>(std::move(response)));
}

void HttpSession::send_metrics(const Request& request) {
  std::string body =
      request.method() == http::verb::head ? std::string() : context_.metrics.render();
  send_text(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", std::move(body),
            request.keep_alive());
}

void HttpSession::send_text(http::status status, std::string_view content_type, std::string body,
                            bool keep_alive) {
  auto response = std::make_shared<http::response<http::string_body>>(status, 11);
  response->set(http::field::server, base::server_name);
  response->set(http::field::content_type, content_type);
  if (status == http::status::method_not_allowed) response->set(http::field::allow, "GET, HEAD");
  response->keep_alive(keep_alive);
  response->body() = std::move(body);
  response->prepare_payload();
  write(std::move(response));
}

void HttpSession::send_file(const Request& request) {
  const bool keep_alive = request.keep_alive();
  const std::optional<StaticFile> file = context_.files.resolve(request.target());
  beast::error_code ec;
  http::file_body::value_type body;
  if (file) body.open(file->path.c_str(), beast::file_mode::scan, ec);
  if (!file || ec) {
    return send_text(http::status::not_found, "text/plain; charset=utf-8", "not found\n",
                     keep_alive);
  }
  const std::uint64_t size = body.size();
  const auto set_headers = [&](auto& response) {
    response.set(http::field::server, base::server_name);
    response.set(http::field::content_type, file->content_type);
    response.set(http::field::cache_control, "no-cache");
    response.content_length(size);
    response.keep_alive(keep_alive);
  };
  if (request.method() == http::verb::head) {
    auto response = std::make_shared<http::response<http::empty_body>>(http::status::ok, 11);
    set_headers(*response);
    return write(std::move(response));
  }
  auto response = std::make_shared<http::response<http::file_body>>(
      std::piecewise_construct, std::make_tuple(std::move(body)),
      std::make_tuple(http::status::ok, 11));
  set_headers(*response);
  write(std::move(response));
}

template <class Response>
void HttpSession::write(std::shared_ptr<Response> response) {
  const bool close = response->need_eof();
  tcp_layer(stream_).expires_after(request_timeout);
  std::visit(
      [&](auto& stream) {
        http::async_write(
            stream, *response,
            beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
      },
      stream_);
  response_ = std::move(response);
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) return;
  if (close) return do_close();
  do_read();
}

void HttpSession::do_close() {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    // close_notify, so the client knows the response is complete; the timeout bounds a client
    // that never answers it.
    tcp_layer(stream_).expires_after(request_timeout);
    return tls->async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      tcp_layer(self->stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    });
  }
  beast::error_code ec;
  tcp_layer(stream_).socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) return;
  tcp_layer(stream_).expires_after(context_.config.resources.http_idle_timeout);
  do_drain();
}

void HttpSession::do_drain() {
  buffer_.clear();
  if (buffer_.capacity() > body_limit) buffer_.shrink_to_fit();
  tcp_layer(stream_).async_read_some(
      buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (!ec) self->do_drain();
      });
}

}  // namespace weft::server::transport
