// http_client.cpp — http_request(): connect, write one request, read one response, close.
#include "tests/integration/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace weft::integration {

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {0, "", "", "connect: " + ec.message()};
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request, ec);
  // A server refusing a large body (413) answers and closes before it has read it all: the
  // write fails, but the answer is there to read.
  const boost::system::error_code write_error = ec;
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser, ec);
  if (ec) return {0, "", "", "read: " + ec.message() + "; write: " + write_error.message()};
  const auto& response = parser.get();
  return {static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
          std::string(response[http::field::allow]), response.body()};
}

}  // namespace weft::integration
