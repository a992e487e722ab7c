// client_adapter.cpp — ClientAdapter: the adapter protocol's commands on a client::Session.
#include "conformance/adapters/cpp/client_adapter.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <variant>

namespace weft::conformance {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// ws://HOST:PORT/ws -> host and port (the kit always gives a loopback ws:// URL).
Endpoint parse_url(std::string_view url) {
  constexpr std::string_view scheme = "ws://";
  if (!url.starts_with(scheme)) throw std::runtime_error("only ws:// URLs are supported");
  url.remove_prefix(scheme.size());
  const auto slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) throw std::runtime_error("the URL has no port");
  Endpoint out{std::string(authority.substr(0, colon)), 0};
  const std::string_view port = authority.substr(colon + 1);
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc{} || end != port.data() + port.size()) {
    throw std::runtime_error("bad port in the URL");
  }
  return out;
}

json position_or_null(const std::optional<std::uint64_t>& pos) {
  return pos ? json(*pos) : json(nullptr);
}

}  // namespace

ClientAdapter::ClientAdapter(boost::asio::io_context& ioc, std::function<void(const json&)> emit)
    : ioc_(ioc), emit_(std::move(emit)) {}

json ClientAdapter::handle(const json& request) {
  const std::string cmd = request.value("cmd", "");
  if (cmd == "open") return open(request);
  if (cmd == "close") {
    if (session_) {
      session_->leave(doc_id_);
      session_->wait_until([&] { return !session_->live(doc_id_); }, 1000ms);
      session_->disconnect();
    }
    closed_ = true;
    return json::object();
  }
  if (!session_) throw std::runtime_error("no document open");
  if (cmd == "insert") {
    auto made = session_->local_insert(doc_id_, request.at("pos").get<std::uint64_t>(),
                                       request.at("text").get<std::string>());
    if (!made) throw std::runtime_error(made.error());
    return json::object();
  }
  if (cmd == "delete") {
    auto made = session_->local_delete(doc_id_, request.at("pos").get<std::uint64_t>(),
                                       request.at("len").get<std::uint64_t>());
    if (!made) throw std::runtime_error(made.error());
    return json::object();
  }
  if (cmd == "text") return {{"text", session_->text(doc_id_)}};
  if (cmd == "wait_acked") return wait_acked(request);
  if (cmd == "status") return status();
  if (cmd == "presence") return set_presence(request);
  if (cmd == "presences") return presences();
  if (cmd == "disconnect") {
    offline_ = true;
    session_->disconnect(/*abrupt=*/true);
    return json::object();
  }
  if (cmd == "reconnect") return reconnect();
  throw std::runtime_error("unknown command " + cmd);
}

json ClientAdapter::open(const json& request) {
  if (session_) throw std::runtime_error("a document is open already");
  const Endpoint endpoint = parse_url(request.at("url").get<std::string>());
  client::SessionOptions options;
  options.client_name = "weft-conformance-cpp";
  options.timeout = 10s;
  if (request.contains("token") && request.at("token").is_string()) {
    options.token = request.at("token").get<std::string>();
  }
  session_ = std::make_unique<client::Session>(ioc_, options);
  doc_id_ = request.at("doc").get<std::string>();
  if (auto opened = session_->open(endpoint.host, endpoint.port); !opened) {
    throw std::runtime_error("open: " + opened.error());
  }
  if (auto joined = session_->join(doc_id_); !joined) {
    throw std::runtime_error("join: " + joined.error());
  }
  return {{"replica", doc().replica}, {"epoch", doc().epoch.value_or(0)}};
}

json ClientAdapter::wait_acked(const json& request) {
  const auto timeout = std::chrono::milliseconds{request.value("timeout_ms", 10000)};
  const auto deadline = client::Clock::now() + timeout;
  while (!session_->acked(doc_id_)) {
    const auto now = client::Clock::now();
    if (now >= deadline) {
      throw std::runtime_error("not acknowledged: " + std::to_string(doc().outbox.size()) +
                               " ops unacknowledged");
    }
    const auto slice = std::min<client::Clock::duration>(deadline - now, 100ms);
    session_->wait_until([&] { return session_->acked(doc_id_) || !session_->connected(); },
                         std::chrono::duration_cast<std::chrono::milliseconds>(slice));
    tick();
  }
  return json::object();
}

json ClientAdapter::status() const {
  const client::DocState& d = doc();
  return {{"connected", session_->connected() && session_->welcomed()},
          {"synced", session_->live(doc_id_)},
          {"unacked", d.outbox.size()},
          {"replica", d.replica},
          {"epoch", d.epoch.value_or(0)}};
}

json ClientAdapter::set_presence(const json& request) {
  const client::DocState& d = doc();
  if (!d.rga) throw std::runtime_error("no replica yet");
  const auto anchor_at = [&](std::uint64_t pos) {
    auto anchor = d.rga->anchor_at(pos, crdt::Side::after);
    if (!anchor) throw std::runtime_error("position out of range");
    return *anchor;
  };
  proto::PresenceState state;
  const auto head = request.at("head").get<std::uint64_t>();
  state.head = anchor_at(head);
  if (request.contains("anchor") && request.at("anchor").is_number()) {
    const auto anchor = request.at("anchor").get<std::uint64_t>();
    if (anchor != head) state.anchor = anchor_at(anchor);
  }
  session_->set_presence(doc_id_, state);
  return json::object();
}

json ClientAdapter::presences() const {
  const client::DocState& d = doc();
  json members = json::array();
  for (const auto& [replica, state] : d.presences) {
    std::optional<std::uint64_t> head;
    std::optional<std::uint64_t> anchor;
    if (d.rga && state.head) head = d.rga->resolve(*state.head);
    if (d.rga && state.anchor) anchor = d.rga->resolve(*state.anchor);
    members.push_back({{"replica", replica},
                       {"head", position_or_null(head)},
                       {"anchor", position_or_null(state.anchor ? anchor : head)}});
  }
  return {{"members", members}};
}

json ClientAdapter::reconnect() {
  offline_ = false;
  close_reported_ = true;  // the close before this was ours
  if (auto back = session_->reconnect(); !back) throw std::runtime_error(back.error());
  close_reported_ = false;
  return json::object();
}

const client::DocState& ClientAdapter::doc() const {
  const client::DocState* d = session_->doc(doc_id_);
  if (d == nullptr) throw std::runtime_error("the session does not hold the document");
  return *d;
}

void ClientAdapter::report_events() {
  const auto& frames = session_->received();
  for (; frames_seen_ < frames.size(); ++frames_seen_) {
    const auto* error = std::get_if<proto::Error>(&frames[frames_seen_]);
    if (error == nullptr) continue;
    json op = nullptr;
    if (error->op) op = json::array({error->op->replica, error->op->seq});
    emit_({{"event", "error"},
           {"name", error->name},
           {"code", error->code},
           {"message", error->message},
           {"op", op}});
  }
  if (const client::DocState* d = session_->doc(doc_id_); d != nullptr) {
    for (; resets_seen_ < d->resets; ++resets_seen_) emit_({{"event", "reset"}});
  }
}

void ClientAdapter::tick() {
  if (!session_ || closed_) return;
  report_events();
  if (offline_ || session_->connected()) return;
  if (!close_reported_) {
    close_reported_ = true;
    const auto& info = session_->close_info();
    emit_({{"event", "closed"},
           {"code", info && info->code ? json(*info->code) : json(nullptr)},
           {"reason", info ? info->reason : std::string{}}});
  }
  if (session_->reconnect()) close_reported_ = false;
  report_events();
}

}  // namespace weft::conformance
