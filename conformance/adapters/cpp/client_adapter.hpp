// client_adapter.hpp — ClientAdapter: the C++ client (client::Session) behind the conformance
// kit's adapter protocol (conformance/README.md): one command object in, one answer object out,
// and events (error frames, resets, closes the adapter did not ask for) written as they happen.
//
// Like an application on the library would, it reconnects by itself when the server closes the
// connection (the library leaves that to its owner), except after `disconnect`, until
// `reconnect`. Single-threaded: every member runs on the thread that runs the io_context.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "client/session.hpp"

namespace weft::conformance {

class ClientAdapter {
 public:
  // `emit` writes one event or answer line.
  ClientAdapter(boost::asio::io_context& ioc, std::function<void(const nlohmann::json&)> emit);

  // Runs one command; the answer has `ok` and the command's results, or `ok: false` and `error`.
  nlohmann::json handle(const nlohmann::json& request);
  // Between commands: reports new events and reconnects after a close the adapter did not ask for.
  void tick();
  [[nodiscard]] bool closed() const { return closed_; }

 private:
  nlohmann::json open(const nlohmann::json& request);
  nlohmann::json wait_acked(const nlohmann::json& request);
  nlohmann::json status() const;
  nlohmann::json set_presence(const nlohmann::json& request);
  nlohmann::json presences() const;
  nlohmann::json reconnect();
  [[nodiscard]] const client::DocState& doc() const;
  void report_events();

  boost::asio::io_context& ioc_;
  std::function<void(const nlohmann::json&)> emit_;
  std::unique_ptr<client::Session> session_;  // from `open` on
  std::string doc_id_;
  bool offline_ = false;         // `disconnect` until `reconnect`: stay away
  bool close_reported_ = false;  // the current connection's close was reported
  bool closed_ = false;          // `close` done: the adapter exits
  std::size_t frames_seen_ = 0;  // session_->received() already reported
  std::size_t resets_seen_ = 0;
};

}  // namespace weft::conformance
