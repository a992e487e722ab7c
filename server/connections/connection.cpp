// connection.cpp — Connection: hello, the rate limit, and routing frames to documents.
#include "server/connections/connection.hpp"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <utility>

#include <spdlog/logger.h>

#include "proto/error_frame.hpp"
#include "proto/frame_codec.hpp"
#include "server/base/version.hpp"
#include "storage/document_store.hpp"

namespace weft::server::connections {
namespace {

// A bucket of `per_second` tokens a second that banks up to two seconds' worth, full at `now`.
TokenBucket bucket(std::uint64_t per_second, TokenBucket::Clock::time_point now) {
  const auto rate = static_cast<double>(per_second);
  return TokenBucket(rate, 2.0 * rate, now);
}

}  // namespace

Connection::Connection(const ConnectionServices& services, std::shared_ptr<Peer> peer,
                       std::uint64_t id, std::string remote, base::Principal principal)
    : services_(services),
      peer_(std::move(peer)),
      id_(id),
      remote_(std::move(remote)),
      principal_(std::move(principal)),
      frame_bucket_(
          bucket(services.config.limits.max_frames_per_second, TokenBucket::Clock::now())),
      window_start_(TokenBucket::Clock::now()),
      ops_bucket_(bucket(services.config.limits.max_ops_per_second, window_start_)),
      bytes_bucket_(bucket(services.config.limits.max_bytes_per_second, window_start_)) {}

Connection::~Connection() { on_closed(); }

void Connection::on_message(std::string_view bytes, bool binary) {
  if (closed_ || !admit_frame()) return;
  message_bytes_ = bytes.size();
  if (!greeted_) {
    auto frame = binary ? proto::decode_frame(bytes) : tl::unexpected(proto::FrameError{});
    if (frame && std::holds_alternative<proto::Hello>(*frame)) return handle(std::move(*frame));
    send_error(proto::ErrorCode::hello_required, "the first frame must be hello");
    return close(proto::CloseCode::hello_required, "hello required");
  }
  if (!binary) {
    return send_error(proto::ErrorCode::malformed_frame, "frames are binary messages");
  }
  auto frame = proto::decode_frame(bytes);
  if (!frame) return send_error(frame.error().code, std::move(frame.error().message));
  handle(std::move(*frame));
}

void Connection::on_closed() {
  if (closed_ && documents_.empty()) return;
  closed_ = true;
  for (auto& [doc, document] : std::exchange(documents_, {})) document->leave(id_, nullptr);
}

void Connection::close(proto::CloseCode code, std::string_view reason) {
  peer_->close(code, reason);
  on_closed();
}

void Connection::handle(proto::Frame frame) {
  std::visit([this](auto&& f) { on_frame(std::forward<decltype(f)>(f)); }, std::move(frame));
}

void Connection::on_frame(proto::Hello hello) {
  if (greeted_) return send_error(proto::ErrorCode::hello_required, "hello was already received");
  if (hello.version != proto::protocol_version) {
    send_error(proto::ErrorCode::unsupported_version, "protocol version " +
                                                          std::to_string(hello.version) +
                                                          " is not supported; this "
                                                          "server speaks " +
                                                          std::to_string(proto::protocol_version));
    return close(proto::CloseCode::unsupported_version, "unsupported version");
  }
  greeted_ = true;
  client_ = std::move(hello.client);
  send(proto::Welcome{proto::protocol_version, std::string(base::server_name),
                      services_.config.limits});
}

void Connection::on_frame(proto::Join join) {
  if (!storage::is_valid_document_id(join.doc)) {
    return send_error(proto::ErrorCode::bad_document_id,
                      "document ids are 1..128 bytes of [A-Za-z0-9._~-]");
  }
  // Rights first (PROTOCOL.md §13): the same answer whether or not the document exists, and
  // nothing is loaded for a client that may not see it.
  if (token_expired_) {
    return send_error(proto::ErrorCode::token_expired, "the token expired: refresh, then join",
                      join.doc);
  }
  const base::Access access = principal_.access(join.doc);
  if (access == base::Access::none) {
    return send_error(proto::ErrorCode::access_denied, "no access to this document", join.doc);
  }
  // Already in the map: the document decides (already_joined, or a rejoin after it dropped us).
  if (const auto it = documents_.find(join.doc); it != documents_.end()) {
    return it->second->join(id_, peer_, std::move(join), access, principal_.user_id);
  }
  if (documents_.size() >= services_.config.limits.max_docs_per_connection) {
    return send_error(proto::ErrorCode::too_many_documents,
                      "at most " + std::to_string(services_.config.limits.max_docs_per_connection) +
                          " documents per connection",
                      join.doc);
  }
  auto document = services_.registry.acquire(join.doc);
  documents_.emplace(join.doc, document);
  document->join(id_, peer_, std::move(join), access, principal_.user_id);
}

void Connection::on_frame(proto::Ops ops) {
  const auto it = documents_.find(ops.doc);
  if (it == documents_.end()) return send_error(proto::ErrorCode::not_joined, "ops", ops.doc);
  if (ops.ops.size() > services_.config.limits.max_ops_per_frame) {
    return send_error(proto::ErrorCode::too_many_ops,
                      std::to_string(ops.ops.size()) + " ops in one frame; the limit is " +
                          std::to_string(services_.config.limits.max_ops_per_frame),
                      ops.doc);
  }
  if (!admit_ops(ops)) return;
  it->second->ops(id_, peer_, std::move(ops));
}

void Connection::on_frame(proto::Presence presence) {
  const auto it = documents_.find(presence.doc);
  if (it == documents_.end()) {
    return send_error(proto::ErrorCode::not_joined, "presence", presence.doc);
  }
  it->second->presence(id_, peer_, std::move(presence.state));
}

void Connection::on_frame(proto::Leave leave) {
  const auto it = documents_.find(leave.doc);
  if (it == documents_.end()) return send_error(proto::ErrorCode::not_joined, "leave", leave.doc);
  it->second->leave(id_, peer_);
  documents_.erase(it);
}

void Connection::on_frame(proto::Diverged diverged) {
  if (!documents_.contains(diverged.doc)) {
    return send_error(proto::ErrorCode::not_joined, "diverged", diverged.doc);
  }
  services_.metrics.divergence_reports.Increment();
  // An operator replays the document's log up to this version (weft-replay) to find the culprit.
  std::ostringstream line;
  line << "conn=" << id_ << " doc=" << diverged.doc << " event=divergence remote=" << remote_
       << " vv=[";
  // The client chooses the version's size: the line shows its first entries only (and the log
  // writes a bounded number of these lines, base/log_limiter.hpp).
  constexpr std::size_t max_logged_entries = 16;
  const auto& entries = diverged.version.entries();
  for (std::size_t i = 0; i < entries.size() && i < max_logged_entries; ++i) {
    line << '[' << entries[i].replica << ',' << entries[i].next_seq << ']';
  }
  if (entries.size() > max_logged_entries) line << "+" << entries.size() - max_logged_entries;
  line << "] client_digest=" << std::hex << std::setfill('0');
  for (const std::uint8_t b : diverged.digest) line << std::setw(2) << static_cast<unsigned>(b);
  services_.log.warn("{}", line.str());
}

template <class ServerFrame>
void Connection::on_frame(ServerFrame) {
  send_error(proto::ErrorCode::malformed_frame, "a frame only the server sends");
}

void Connection::send(const proto::Frame& frame) {
  peer_->send(std::make_shared<const std::string>(proto::encode_frame(frame)));
}

void Connection::send_error(proto::ErrorCode code, std::string message,
                            std::optional<std::string> doc) {
  send(proto::make_error(code, std::move(message), std::move(doc)));
}

// A frame costs one token of frame_bucket_. A frame without a token is dropped (one rate_limited
// error a second at most); more drops than max_frames_per_second within one second is a flood,
// closed with 1008.
bool Connection::admit_frame() {
  const auto now = TokenBucket::Clock::now();
  if (frame_bucket_.take(1.0, now)) return true;
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    dropped_in_window_ = 0;
  }
  ++dropped_in_window_;
  if (dropped_in_window_ > services_.config.limits.max_frames_per_second) {
    close(proto::CloseCode::policy_violation, "too many frames");
    return false;
  }
  if (dropped_in_window_ == 1) {
    send_error(proto::ErrorCode::rate_limited, "frame dropped: too many frames per second");
  }
  return false;
}

}  // namespace weft::server::connections
