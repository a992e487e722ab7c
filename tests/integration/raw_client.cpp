// raw_client.cpp — see raw_client.hpp.
#include "tests/integration/raw_client.hpp"

#include <fstream>
#include <utility>
#include <vector>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <doctest/doctest.h>

#include "proto/frame_codec.hpp"

namespace weft::integration {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

RawClient::RawClient(std::uint16_t port, int receive_window) : ws_(ioc_) {
  auto& socket = ws_.next_layer();
  socket.open(net::ip::tcp::v4());
  // Before connect: the window is agreed in the handshake.
  socket.set_option(net::socket_base::receive_buffer_size(receive_window));
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  ws_.handshake("127.0.0.1", "/ws");
  ws_.binary(true);
}

void RawClient::join(const std::string& doc, const std::string& client_name) {
  send(proto::Hello{proto::protocol_version, client_name});
  boost::beast::flat_buffer welcome;
  ws_.read(welcome);
  send(proto::Join{doc, std::nullopt, std::nullopt, std::nullopt, {}});
}

void RawClient::send(const proto::Frame& frame) {
  ws_.write(net::buffer(proto::encode_frame(frame)));
}

proto::Frame RawClient::read() {
  boost::beast::flat_buffer buffer;
  ws_.read(buffer);
  const auto data = buffer.cdata();
  auto frame =
      proto::decode_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
  REQUIRE(frame.has_value());
  return std::move(*frame);
}

std::uint16_t RawClient::read_until_closed() {
  boost::beast::flat_buffer buffer;
  boost::beast::error_code ec;
  while (!ec) {
    ws_.read(buffer, ec);
    buffer.clear();
  }
  return ec == websocket::error::closed ? static_cast<std::uint16_t>(ws_.reason().code) : 0;
}

std::string raw_http(std::uint16_t port, const std::string& request) {
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "connect: " + ec.message();
  net::write(socket, net::buffer(request), ec);
  std::string response;
  while (response.find("\r\n\r\n") == std::string::npos || response.starts_with("HTTP/1.1 4")) {
    char chunk[4096];
    const std::size_t n = socket.read_some(net::buffer(chunk), ec);
    if (ec) break;
    response.append(chunk, n);
  }
  return response;
}

std::string mixed_text(std::size_t bytes) {
  static const std::vector<std::string> pieces{"lorem ipsum ", "é", "日本語", "😀", "\n", "ß"};
  std::string out;
  out.reserve(bytes + 16);
  for (std::size_t i = 0; out.size() + 16 < bytes; ++i) {
    out += pieces[(i * 7 + i / 3) % pieces.size()];
  }
  out.append(bytes - out.size(), 'z');
  return out;
}

std::uint64_t process_status_kib(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      return std::stoull(line.substr(field.size() + 1));
    }
  }
  return 0;
}

}  // namespace weft::integration
