// http_client.cpp — http_request() and https_request(): connect, (TLS handshake,) write one
// request, read one response, close.
#include "tests/integration/http_client.hpp"

#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace weft::integration {

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

// Writes one request on a connected stream and reads its response.
template <class Stream>
HttpReply exchange(Stream& stream, const std::string& method, const std::string& target,
                   const std::string& body) {
  boost::system::error_code ec;
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  // A server refusing a large body (413) answers and closes before it has read it all: the
  // write fails, but the answer is there to read.
  const boost::system::error_code write_error = ec;
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return {0, "", "", "read: " + ec.message() + "; write: " + write_error.message()};
  const auto& response = parser.get();
  return {static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
          std::string(response[http::field::allow]), response.body()};
}

}  // namespace

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body) {
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {0, "", "", "connect: " + ec.message()};
  return exchange(socket, method, target, body);
}

HttpReply https_request(std::uint16_t port, const client::TlsOptions& tls,
                        const std::string& method, const std::string& target,
                        const std::string& body) {
  const auto context = client::context_for(tls);
  if (!context) return {0, "", "", context.error()};
  net::io_context ioc;
  net::ssl::stream<net::ip::tcp::socket> stream(ioc, **context);
  client::set_verification(stream, tls, "127.0.0.1");
  boost::system::error_code ec;
  stream.next_layer().connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {0, "", "", "connect: " + ec.message()};
  stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) return {0, "", "", "tls handshake: " + ec.message()};
  return exchange(stream, method, target, body);
}

double metric_sample(const std::string& metrics_text, const std::string& series) {
  std::istringstream lines(metrics_text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace weft::integration
