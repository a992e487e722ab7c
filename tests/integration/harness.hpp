// harness.hpp — what every integration case shares: a running server, one io_context for all
// client sessions (so waiting on one drives them all), and helpers to make and check clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "client/session.hpp"
#include "tests/server_process.hpp"

namespace weft::integration {

using namespace std::chrono_literals;
using testing::ServerProcess;

struct Harness {
  // Starts the server with these extra flags (e.g. limits).
  explicit Harness(const std::vector<std::string>& flags = {});
  // A session connected to the server that said hello (and joined `doc` when given).
  client::Session& client(const std::string& doc = "");
  // A session that said hello with `token` (the other options from session_options).
  client::Session& client_with_token(const std::string& token);
  // A session that connected (WebSocket open) but sent nothing.
  client::Session& raw_client();
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s);
  // Runs the io_context for `time` (lets frames flow; nothing is asserted).
  void pump(std::chrono::milliseconds time);

  boost::asio::io_context ioc;  // before the sessions: they are destroyed first
  ServerProcess server;
  client::SessionOptions session_options;  // for client() and raw_client(), e.g. tls
  std::vector<std::unique_ptr<client::Session>> clients;
};

// One random edit: mostly inserts of 1-3 letters from `alphabet`, sometimes a delete of 1-3.
void random_edit(client::Session& session, const std::string& doc, std::mt19937& rng,
                 const std::string& alphabet);

// `a` and `b` each make `rounds` random edits of `doc` (a's letters from "abc", b's from "xyz"),
// frames flowing every 10 rounds, so the server sees their ops interleaved.
void type_together(Harness& h, client::Session& a, client::Session& b, const std::string& doc,
                   std::uint32_t seed, int rounds);

// Every session's text of `doc` equals; false (and nothing else) otherwise.
bool same_text(const std::vector<client::Session*>& sessions, const std::string& doc);

}  // namespace weft::integration
