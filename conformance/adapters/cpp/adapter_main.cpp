// adapter_main.cpp — weft-conformance-cpp: the conformance kit's adapter for the C++ client
// library (conformance/README.md, "The adapter protocol"). Reads one JSON command per line on
// stdin, answers one JSON line per command on stdout, and writes events between them; exits 0
// after `close` or at the end of stdin.
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "client/session.hpp"
#include "conformance/adapters/cpp/client_adapter.hpp"
#include "conformance/adapters/cpp/line_reader.hpp"

namespace {

using nlohmann::json;
using weft::conformance::ClientAdapter;
using weft::conformance::LineReader;

void write_line(const json& message) { std::cout << message.dump() << std::endl; }

json answer(ClientAdapter& adapter, const std::string& line) {
  json request;
  try {
    request = json::parse(line);
  } catch (const json::exception& e) {
    return {
        {"event", "error"}, {"name", "adapter"}, {"message", std::string("not JSON: ") + e.what()}};
  }
  json reply;
  try {
    reply = adapter.handle(request);
    reply["ok"] = true;
  } catch (const std::exception& e) {
    reply = {{"ok", false}, {"error", e.what()}};
  }
  reply["id"] = request.value("id", json(nullptr));
  return reply;
}

// The command loop; returns once the adapter was closed or stdin ended.
void serve() {
  boost::asio::io_context ioc;
  ClientAdapter adapter{ioc, write_line};
  LineReader reader;
  while (!adapter.closed() && !reader.finished()) {
    if (auto line = reader.pop()) {
      if (line->find_first_not_of(" \t\r") == std::string::npos) continue;
      write_line(answer(adapter, *line));
      continue;
    }
    weft::client::run_until(
        ioc, [&] { return reader.has_line() || reader.finished(); }, std::chrono::milliseconds{50});
    adapter.tick();
  }
}

}  // namespace

// After `close` the reader thread may still be blocked reading stdin: a normal exit would run the
// static destructors (std::cin's among them) under it, so the process ends with _Exit once the
// session is gone and stdout is flushed.
int main() {
  serve();
  std::cout.flush();
  std::_Exit(0);
}
