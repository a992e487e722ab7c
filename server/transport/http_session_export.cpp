// http_session_export.cpp — HttpSession's streamed answers: a log export (api/log_export.hpp)
// written as a chunked response, one piece of the log at a time, each asked for only once the
// previous one is written.
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/logger.h>

#include "server/base/log.hpp"
#include "server/transport/http_session.hpp"

namespace weft::server::transport {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

void HttpSession::on_api_stream(bool keep_alive, http::response<http::string_body> head,
                                std::shared_ptr<api::LogExport> body) {
  export_ = std::move(body);
  export_keep_alive_ = keep_alive;
  export_head_.emplace(head.result(), 11);
  for (const auto& field : head) export_head_->set(field.name_string(), field.value());
  export_head_->chunked(true);
  export_head_->keep_alive(keep_alive);
  export_serializer_.emplace(*export_head_);
  tcp_layer(stream_).expires_after(request_timeout);
  std::visit(
      [&](auto& stream) {
        http::async_write_header(
            stream, *export_serializer_,
            beast::bind_front_handler(&HttpSession::on_export_written, shared_from_this()));
      },
      stream_);
}

void HttpSession::on_export_written(beast::error_code ec, std::size_t) {
  if (ec) {
    export_.reset();
    return;
  }
  export_->next([self = shared_from_this()](api::LogExport::Piece piece) {
    net::post(tcp_layer(self->stream_).get_executor(),
              std::bind_front(&HttpSession::on_export_piece, self, std::move(piece)));
  });
}

void HttpSession::on_export_piece(api::LogExport::Piece piece) {
  if (!piece) {
    // The head is out: the client can only be told by a body that never completes.
    context_.log.warn("event=export_failed error={}", base::quote(piece.error().message));
    export_.reset();
    beast::error_code ignored;
    tcp_layer(stream_).socket().close(ignored);
    return;
  }
  tcp_layer(stream_).expires_after(request_timeout);
  if (!*piece) {
    return std::visit(
        [&](auto& stream) {
          net::async_write(
              stream, http::make_chunk_last(),
              beast::bind_front_handler(&HttpSession::on_export_end, shared_from_this()));
        },
        stream_);
  }
  export_piece_ = std::move(**piece);
  std::visit(
      [&](auto& stream) {
        net::async_write(
            stream, http::make_chunk(net::buffer(export_piece_)),
            beast::bind_front_handler(&HttpSession::on_export_written, shared_from_this()));
      },
      stream_);
}

void HttpSession::on_export_end(beast::error_code ec, std::size_t) {
  export_.reset();
  export_serializer_.reset();
  export_head_.reset();
  export_piece_ = std::string();
  if (ec) return;
  if (!export_keep_alive_) return do_close();
  do_read();
}

}  // namespace weft::server::transport
