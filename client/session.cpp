// session.cpp — Session: connection lifecycle, the join/catch-up state machine, local edits.
#include "client/session.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include "crdt/snapshot.hpp"
#include "crdt/utf8.hpp"
#include "proto/error_frame.hpp"
#include "proto/frame_codec.hpp"

namespace weft::client {

namespace net = boost::asio;

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;  // clang 14 lacks aggregate deduction

// An upper bound of the encoded size of an ops frame without its doc id and ops (type and array
// headers), plus one op's fixed fields (array header, kind, five integers, the string header).
constexpr std::uint64_t frame_overhead_bytes = 128;
// How long the client waits before sending a refused (rate_limited) frame again.
constexpr std::chrono::milliseconds rate_limit_pause{250};
// Pauses before joining a document again that could not be loaded: 1 s, doubling to 30 s.
constexpr std::chrono::milliseconds first_rejoin_pause{1000};
constexpr std::chrono::milliseconds max_rejoin_pause{30000};

tl::unexpected<std::string> failure(std::string why) { return tl::unexpected(std::move(why)); }

// A per-op refusal that is not retry-later (PROTOCOL.md §8): the op is never integrated.
bool is_permanent_refusal(proto::ErrorCode code) {
  const auto n = static_cast<std::uint64_t>(code);
  return code == proto::ErrorCode::read_only || code == proto::ErrorCode::document_full ||
         (n >= 101 && n <= 113 && n != 112);
}

}  // namespace

bool run_until(net::io_context& ioc, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    const auto now = Clock::now();
    if (now >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    const auto slice = std::min<Clock::duration>(deadline - now, std::chrono::milliseconds{20});
    if (ioc.run_one_for(slice) == 0 && ioc.stopped()) {
      std::this_thread::sleep_for(std::chrono::milliseconds{1});  // nothing to run yet
    }
  }
  return true;
}

Session::Session(net::io_context& ioc, SessionOptions options)
    : ioc_(ioc),
      options_(std::move(options)),
      resend_timer_(ioc),
      rejoin_timer_(ioc),
      rejoin_pause_(first_rejoin_pause) {}

Session::~Session() {
  if (conn_) conn_->detach();
}

bool Session::wait_until(const std::function<bool()>& done) {
  return run_until(ioc_, done, options_.timeout);
}

bool Session::wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return run_until(ioc_, done, timeout);
}

void Session::start_connection(const std::string& host, std::uint16_t port) {
  if (conn_) conn_->detach();
  host_ = host;
  port_ = port;
  welcome_.reset();
  close_info_.reset();
  opening_ = true;
  Connection::Events events;
  events.on_open = [this] { opening_ = false; };
  events.on_message = [this](std::string_view bytes) { on_message(bytes); };
  events.on_close = [this](const CloseInfo& info) { on_close(info); };
  conn_ = Connection::create(ioc_, std::move(events));
  conn_->open(host, port, options_.token.empty() ? "/ws" : "/ws?token=" + options_.token,
              options_.tls);
}

tl::expected<void, std::string> Session::connect(const std::string& host, std::uint16_t port) {
  start_connection(host, port);
  if (!wait_until([this] { return !opening_ || close_info_.has_value(); })) {
    return failure("connect: timed out");
  }
  if (close_info_) return failure(close_info_->reason);
  return {};
}

tl::expected<void, std::string> Session::hello() {
  const std::size_t errors_before = errors_seen_;
  send_frame(proto::Hello{proto::protocol_version, options_.client_name});
  if (!wait_until([&] { return welcome_ || close_info_ || errors_seen_ > errors_before; })) {
    return failure("hello: no welcome");
  }
  if (!welcome_) return failure("hello: refused");
  return {};
}

tl::expected<void, std::string> Session::open(const std::string& host, std::uint16_t port) {
  if (auto done = connect(host, port); !done) return done;
  return hello();
}

void Session::disconnect(bool abrupt) {
  if (!conn_ || !conn_->is_open()) return;
  if (abrupt) {
    conn_->abort();
    return;
  }
  conn_->close();
  wait_until([this] { return close_info_.has_value(); });
  if (!close_info_) conn_->abort();
}

tl::expected<void, std::string> Session::reconnect() { return reconnect(host_, port_); }

tl::expected<void, std::string> Session::reconnect(const std::string& host, std::uint16_t port) {
  if (auto done = open(host, port); !done) return done;
  for (auto& [id, doc] : docs_) {
    if (doc.wanted) send_join(doc);
  }
  const bool all_live = wait_until([this] {
    return std::all_of(docs_.begin(), docs_.end(), [](const auto& entry) {
      return !entry.second.wanted || entry.second.phase == DocPhase::live;
    });
  });
  if (!all_live) return failure("reconnect: documents did not catch up");
  return {};
}

void Session::join_async(const std::string& id) {
  auto [it, inserted] = docs_.try_emplace(id);
  DocState& doc = it->second;
  if (inserted) doc.id = id;
  doc.wanted = true;
  send_join(doc);
}

tl::expected<void, std::string> Session::join(const std::string& id) {
  const std::size_t errors_before = errors_seen_;
  join_async(id);
  const DocState& doc = docs_.at(id);
  const bool done = wait_until([&] {
    return doc.phase == DocPhase::live || doc.phase == DocPhase::idle || close_info_ ||
           errors_seen_ > errors_before;
  });
  if (doc.phase == DocPhase::live) return {};
  if (!done) return failure("join " + id + ": timed out");
  if (errors_seen_ > errors_before) {
    for (auto it = received_.rbegin(); it != received_.rend(); ++it) {
      if (const auto* error = std::get_if<proto::Error>(&*it)) {
        return failure("join " + id + ": " + error->name + ": " + error->message);
      }
    }
  }
  return failure("join " + id + ": connection closed");
}

void Session::leave(const std::string& id) {
  DocState* doc = find(id);
  if (doc == nullptr) return;
  doc->wanted = false;
  doc->rejoin = false;
  if (doc->phase == DocPhase::idle) return;
  doc->phase = DocPhase::leaving;
  send_frame(proto::Leave{id});
}

void Session::send_join(DocState& doc) {
  if (doc.recovery && doc.recovery->fresh) {
    // A new replica: the lost one must never author again (PROTOCOL.md §7.8).
    doc.recovery->fresh = false;
    doc.rejoin = false;
    doc.epoch.reset();
    doc.token.reset();
    doc.replica = 0;
    doc.rga.reset();
  }
  if (doc.rejoin && doc.rga) {
    doc.rejoin = false;
    doc.rga.emplace(doc.replica);  // empty: its version vector asks for everything
  }
  proto::Join join;
  join.doc = doc.id;
  if (doc.epoch) {
    join.epoch = doc.epoch;
    join.replica = doc.replica;
    join.token = doc.token;
    if (doc.rga) join.version = doc.rga->version();
  }
  doc.phase = DocPhase::joining;
  doc.snapshot_bytes.clear();
  send_frame(join);
}

// Starts the document over from an empty replica under the same credentials: leave, then (on
// left) join with an empty version vector. Unacknowledged ops survive and are re-applied.
void Session::rejoin_from_scratch(DocState& doc) {
  doc.rebuild = true;
  doc.rejoin = true;
  doc.phase = DocPhase::leaving;
  send_frame(proto::Leave{doc.id});
}

// Starts (or extends, for another refusal of the same replica) a recovery: nothing more is sent
// under the replica; the document is rebuilt from the server under a new replica, and
// finish_recovery() types the unacknowledged edits again minus the refused ones.
void Session::recover(DocState& doc, const proto::Error* refusal) {
  const bool started = doc.recovery.has_value();
  if (!started) {
    doc.recovery.emplace();
    doc.recovery->rule.replica = doc.replica;
    doc.recovery->ops.assign(doc.outbox.ops().begin(), doc.outbox.ops().end());
    doc.recovery->fresh = true;
    doc.outbox.abandon();
  }
  if (refusal != nullptr) {
    doc.recovery->refusals.push_back(*refusal);
    if (refusal->code == static_cast<std::uint64_t>(proto::ErrorCode::read_only)) {
      doc.recovery->rule.drop_all = true;
    } else if (refusal->op) {
      doc.recovery->rule.dropped.insert(refusal->op->seq);
    }
  }
  if (started || !doc.wanted) return;
  if (doc.phase == DocPhase::live || doc.phase == DocPhase::catching_up) {
    rejoin_from_scratch(doc);
  } else if (doc.phase == DocPhase::idle && welcomed() && connected()) {
    send_join(doc);
  }
}

// The document holds the server's whole state (synced after a join with an empty replica): types
// the lost replica's edits again and reports what was refused.
void Session::finish_recovery(DocState& doc) {
  Recovery recovery = std::move(*doc.recovery);
  doc.recovery.reset();
  Retyped retyped = retype(*doc.rga, recovery.ops, recovery.rule);
  for (crdt::Op& op : retyped.ops) doc.outbox.push(std::move(op));
  if (!recovery.refusals.empty()) {
    const proto::Error& first = recovery.refusals.front();
    Refusal refusal;
    refusal.name = first.name;
    refusal.code = first.code;
    refusal.server_message = first.message;
    refusal.op = first.op;
    refusal.dropped = std::move(retyped.dropped);
    refusal.message = refusal_message(first.name, refusal.dropped,
                                      welcome_ ? welcome_->limits.max_document_bytes : 0);
    doc.refusals.push_back(refusal);
    if (options_.on_refused) options_.on_refused(doc.id, refusal);
  }
}

tl::expected<void, std::string> Session::local_insert(const std::string& id, std::uint64_t pos,
                                                      std::string_view text) {
  DocState* doc = find(id);
  if (doc == nullptr || !doc->rga) return failure("insert: no replica for " + id);
  if (doc->rebuild) return failure("insert: " + id + " is being rebuilt");
  if (doc->read_only) return failure("insert: " + id + " is read-only");
  // A large insert becomes several ops of consecutive ids (they re-merge into one run), each at
  // most max_run code points and small enough for one frame (PROTOCOL.md §9).
  if (text.empty()) return failure("insert: no text");
  if (!crdt::utf8::count_code_points(text)) return failure("insert: the text is not valid UTF-8");
  const std::uint64_t max_run = welcome_ ? welcome_->limits.max_run : crdt::Limits{}.max_run;
  const std::uint64_t max_bytes = op_text_budget(id);
  while (!text.empty()) {
    std::size_t bytes = 0;
    std::uint64_t units = 0;
    while (bytes < text.size() && units < max_run) {
      std::size_t next = bytes + 1;
      while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0U) == 0x80U) {
        ++next;
      }
      if (units > 0 && next > max_bytes) break;
      bytes = next;
      ++units;
    }
    auto op = doc->rga->local_insert(pos, text.substr(0, bytes));
    if (!op) return failure("insert: " + op.error().message());
    doc->outbox.push(std::move(*op));
    pos += units;
    text.remove_prefix(bytes);
  }
  flush(*doc);
  return {};
}

tl::expected<void, std::string> Session::local_delete(const std::string& id, std::uint64_t pos,
                                                      std::uint64_t len) {
  DocState* doc = find(id);
  if (doc == nullptr || !doc->rga) return failure("delete: no replica for " + id);
  if (doc->rebuild) return failure("delete: " + id + " is being rebuilt");
  if (doc->read_only) return failure("delete: " + id + " is read-only");
  auto op = doc->rga->local_delete(pos, len);
  if (!op) return failure("delete: " + op.error().message());
  doc->outbox.push(std::move(*op));
  flush(*doc);
  return {};
}

void Session::set_presence(const std::string& doc, const proto::PresenceState& state) {
  send_frame(proto::Presence{doc, state});
}

void Session::send_bytes(std::string bytes) {
  if (conn_) conn_->send(std::move(bytes));
}

void Session::send_frame(const proto::Frame& frame) { send_bytes(proto::encode_frame(frame)); }

// Sends the unacknowledged ops not yet sent on this connection, while the document is live.
void Session::flush(DocState& doc) {
  if (doc.phase != DocPhase::live || !connected()) return;
  const std::size_t per_frame =
      welcome_ ? static_cast<std::size_t>(welcome_->limits.max_ops_per_frame) : 4096;
  const std::uint64_t max_bytes = op_text_budget(doc.id);
  // As many ops per frame as the limits allow (at least one: local_insert sized it to fit).
  while (doc.outbox.has_waiting()) {
    send_frame(proto::Ops{doc.id, doc.outbox.take_frame(per_frame, max_bytes)});
  }
}

// The bytes an op's text may take so that a frame holding only that op stays below
// max_frame_bytes.
std::uint64_t Session::op_text_budget(std::string_view doc) const {
  const std::uint64_t frame = welcome_ ? welcome_->limits.max_frame_bytes : 1U << 20U;
  const std::uint64_t overhead = frame_overhead_bytes + doc.size();
  return frame > 2 * overhead ? frame - overhead : overhead;
}

// The server refused a frame (rate_limited and overloaded name its first op) or did not keep an
// op (buffer_full): send it and everything after it again after a pause. Ops of later frames that
// the server took wait there for the refused ones (duplicates are ignored).
void Session::resend_after_rate_limit(DocState& doc, crdt::Id first) {
  doc.outbox.refused(first);
  if (resend_armed_) return;
  resend_armed_ = true;
  resend_timer_.expires_after(rate_limit_pause);
  resend_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the session may be gone
    resend_armed_ = false;
    for (auto& [id, state] : docs_) flush(state);
  });
}

void Session::rejoin_later() {
  if (rejoin_armed_) return;
  rejoin_armed_ = true;
  rejoin_timer_.expires_after(rejoin_pause_);
  rejoin_pause_ = std::min(rejoin_pause_ * 2, max_rejoin_pause);
  rejoin_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the session may be gone
    rejoin_armed_ = false;
    if (!conn_ || !conn_->is_open()) return;  // a reconnect joins them
    for (auto& [id, state] : docs_) {
      if (state.wanted && state.phase == DocPhase::idle) send_join(state);
    }
  });
}

std::string Session::text(const std::string& id) const {
  const DocState* state = doc(id);
  return state != nullptr && state->rga ? state->rga->text() : std::string{};
}

const DocState* Session::doc(const std::string& id) const {
  const auto it = docs_.find(id);
  return it == docs_.end() ? nullptr : &it->second;
}

DocState* Session::find(std::string_view id) {
  const auto it = docs_.find(id);
  return it == docs_.end() ? nullptr : &it->second;
}

bool Session::live(const std::string& id) const {
  const DocState* state = doc(id);
  return state != nullptr && state->phase == DocPhase::live;
}

bool Session::acked(const std::string& id) const {
  const DocState* state = doc(id);
  return state != nullptr && state->phase == DocPhase::live && state->outbox.empty();
}

std::vector<proto::Error> Session::errors() const {
  std::vector<proto::Error> out;
  for (const proto::Frame& frame : received_) {
    if (const auto* error = std::get_if<proto::Error>(&frame)) out.push_back(*error);
  }
  return out;
}

void Session::on_close(const CloseInfo& info) {
  close_info_ = info;
  opening_ = false;
  for (auto& [id, doc] : docs_) {
    doc.phase = DocPhase::idle;
    doc.outbox.resend_all();
    doc.snapshot_bytes.clear();
    doc.presences.clear();
  }
}

void Session::on_message(std::string_view bytes) {
  auto frame = proto::decode_frame(bytes);
  if (!frame) {
    proto::Error error;
    error.name = "undecodable";
    error.message = frame.error().message;
    received_.emplace_back(std::move(error));
    ++errors_seen_;
    return;
  }
  received_.push_back(*frame);
  handle(*frame);
}

void Session::handle(const proto::Frame& frame) {
  std::visit(Overloaded{
                 [this](const proto::Welcome& w) { welcome_ = w; },
                 [this](const proto::Joined& f) { on_joined(f); },
                 [this](const proto::SnapshotChunk& f) { on_snapshot(f); },
                 [this](const proto::Ops& f) { on_ops(f); },
                 [this](const proto::Synced& f) { on_synced(f); },
                 [this](const proto::Ack& f) { on_ack(f); },
                 [this](const proto::Presences& f) { on_presences(f); },
                 [this](const proto::Left& f) { on_left(f); },
                 [this](const proto::DigestFrame& f) { on_digest(f); },
                 [this](const proto::Error& f) { on_error(f); },
                 [](const auto&) {},  // client-to-server frames: a server never sends them
             },
             frame);
}

void Session::on_joined(const proto::Joined& joined) {
  DocState* doc = find(joined.doc);
  if (doc == nullptr || doc->phase != DocPhase::joining) return;
  const bool refused = doc->rga && !joined.reset && joined.replica != doc->replica;
  if (joined.reset) {
    // Another epoch: ops under the old replica can never be accepted again, nor their document.
    doc->recovery.reset();
    doc->lost_ops += doc->outbox.abandon();
    doc->rga.reset();
    ++doc->resets;
  } else if (refused && !doc->outbox.empty() && !doc->recovery) {
    // The resume token was refused: the old replica's ops are typed again once rebuilt (§7.8).
    doc->recovery.emplace();
    doc->recovery->rule.replica = doc->replica;
    doc->recovery->ops.assign(doc->outbox.ops().begin(), doc->outbox.ops().end());
  }
  if (refused) doc->outbox.abandon();
  doc->epoch = joined.epoch;
  doc->replica = joined.replica;
  doc->token = joined.token;
  doc->server_version = joined.version;
  doc->outbox.acknowledge(joined.version.get(joined.replica));
  if (!doc->rga) {
    doc->rga.emplace(joined.replica);
    doc->rebuild = true;  // everything must come from the server before local edits resume
  }
  doc->phase = DocPhase::catching_up;
  if (refused) rejoin_from_scratch(*doc);  // the server would send ops against our old state
}

void Session::on_snapshot(const proto::SnapshotChunk& chunk) {
  DocState* doc = find(chunk.doc);
  if (doc == nullptr || doc->phase != DocPhase::catching_up) return;
  if (chunk.offset != doc->snapshot_bytes.size()) {
    doc->snapshot_bytes.clear();
    if (chunk.offset != 0) return;
  }
  doc->snapshot_bytes += chunk.bytes;
  if (doc->snapshot_bytes.size() < chunk.total) return;
  auto snapshot = crdt::decode_snapshot(doc->snapshot_bytes);
  doc->snapshot_bytes.clear();
  if (!snapshot) return;
  auto rga = crdt::Rga::from_snapshot(*snapshot, doc->replica);
  if (!rga) return;
  doc->rga.emplace(std::move(*rga));
  // Our unacknowledged ops are ops like any other: on top of the snapshot before anything else,
  // so that new local edits take seqs after them.
  for (const crdt::Op& op : doc->outbox.ops()) (void)doc->rga->apply_remote(op);
}

void Session::on_ops(const proto::Ops& ops) {
  DocState* doc = find(ops.doc);
  if (doc == nullptr || !doc->rga) return;
  if (doc->phase != DocPhase::catching_up && doc->phase != DocPhase::live) return;
  for (const crdt::Op& op : ops.ops) (void)doc->rga->apply_remote(op);
}

void Session::on_synced(const proto::Synced& synced) {
  DocState* doc = find(synced.doc);
  if (doc == nullptr || doc->phase != DocPhase::catching_up) return;
  doc->server_version = synced.version;
  doc->outbox.acknowledge(synced.version.get(doc->replica));
  for (const crdt::Op& op : doc->outbox.ops()) (void)doc->rga->apply_remote(op);
  doc->rebuild = false;
  doc->phase = DocPhase::live;
  rejoin_pause_ = first_rejoin_pause;
  doc->outbox.resend_all();
  if (doc->recovery) finish_recovery(*doc);
  if (doc->rga->version() == synced.version) {
    ++doc->digests_checked;
    if (proto::text_digest(doc->rga->text()) != synced.digest) ++doc->digest_mismatches;
  }
  flush(*doc);
}

void Session::on_ack(const proto::Ack& ack) {
  DocState* doc = find(ack.doc);
  if (doc == nullptr) return;
  doc->outbox.acknowledge(ack.next_seq);
}

void Session::on_presences(const proto::Presences& presences) {
  DocState* doc = find(presences.doc);
  if (doc == nullptr) return;
  for (const auto& entry : presences.entries) {
    if (entry.replica == doc->replica) continue;
    if (entry.state) {
      doc->presences[entry.replica] = *entry.state;
    } else {
      doc->presences.erase(entry.replica);
    }
  }
}

void Session::on_left(const proto::Left& left) {
  DocState* doc = find(left.doc);
  if (doc == nullptr) return;
  doc->presences.clear();
  if (doc->rejoin && doc->wanted) {
    send_join(*doc);  // epoch, replica, token and the empty replica's empty version vector
    return;
  }
  doc->phase = DocPhase::idle;
}

void Session::on_digest(const proto::DigestFrame& digest) {
  DocState* doc = find(digest.doc);
  if (doc == nullptr || doc->phase != DocPhase::live || doc->rga->version() != digest.version) {
    return;
  }
  ++doc->digests_checked;
  const proto::Digest ours = proto::text_digest(doc->rga->text());
  if (ours == digest.digest) return;
  ++doc->digest_mismatches;
  send_frame(proto::Diverged{doc->id, digest.version, ours});
  rejoin_from_scratch(*doc);
}

tl::expected<std::optional<std::uint64_t>, std::string> Session::refresh(const std::string& token) {
  const std::size_t from = received_.size();
  send_frame(proto::Refresh{token});
  const proto::Refreshed* refreshed = nullptr;
  const proto::Error* refused = nullptr;
  const bool done = wait_until([&] {
    for (std::size_t i = from; i < received_.size(); ++i) {
      refreshed = std::get_if<proto::Refreshed>(&received_[i]);
      if (refreshed != nullptr) return true;
      const auto* error = std::get_if<proto::Error>(&received_[i]);
      if (error != nullptr &&
          error->code == static_cast<std::uint64_t>(proto::ErrorCode::unauthorized)) {
        refused = error;
        return true;
      }
    }
    return close_info_.has_value();
  });
  if (refreshed != nullptr) {
    options_.token = token;
    // Widened rights are not announced (PROTOCOL.md §13): the next edit finds out.
    for (auto& [id, doc] : docs_) doc.read_only = false;
    return refreshed->expires;
  }
  if (refused != nullptr) return tl::unexpected("refresh: unauthorized: " + refused->message);
  return tl::unexpected(std::string(done ? "refresh: connection closed" : "refresh: timed out"));
}

void Session::on_error(const proto::Error& error) {
  ++errors_seen_;
  if (!error.doc) return;
  DocState* doc = find(*error.doc);
  if (doc == nullptr) return;
  using proto::ErrorCode;
  const auto code = static_cast<ErrorCode>(error.code);
  if ((code == ErrorCode::rate_limited || code == ErrorCode::overloaded ||
       error.code == proto::op_rejected_code(crdt::Errc::buffer_full)) &&
      error.op) {
    // Retry-later refusals (PROTOCOL.md §8): the named op was not kept.
    resend_after_rate_limit(*doc, *error.op);
  } else if (code == ErrorCode::replica_taken_over) {
    // Another client authors under our replica now: rejoin under a new one (§7.8).
    doc->phase = DocPhase::idle;
    ++doc->takeovers;
    recover(*doc, nullptr);
  } else if (code == ErrorCode::access_revoked && doc->phase != DocPhase::idle &&
             error.message.find("read-only") != std::string::npos) {
    doc->read_only = true;
  } else if (error.op && is_permanent_refusal(code) &&
             (error.op->replica == doc->replica ||
              (doc->recovery && error.op->replica == doc->recovery->rule.replica))) {
    if (code == ErrorCode::read_only) doc->read_only = true;
    recover(*doc, &error);
  } else if (code == ErrorCode::access_denied || code == ErrorCode::token_expired) {
    doc->phase = DocPhase::idle;  // not a member (any more); join again after a refresh
  } else if (code == ErrorCode::storage_failed) {
    if (doc->wanted) send_join(*doc);  // our unacknowledged ops go again after synced
  } else if (doc->phase == DocPhase::joining && code == ErrorCode::document_unavailable) {
    doc->phase = DocPhase::idle;  // the store may be back soon: try again
    if (doc->wanted) rejoin_later();
  } else if (doc->phase == DocPhase::joining &&
             (code == ErrorCode::bad_document_id || code == ErrorCode::too_many_documents ||
              code == ErrorCode::already_joined)) {
    doc->phase = DocPhase::idle;
  }
}

}  // namespace weft::client
