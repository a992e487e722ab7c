// connection_auth.cpp — Connection's part of authentication (PROTOCOL.md §13, §5.15): the refresh
// frame, which replaces the token and applies its rights to every joined document at once, and
// the token's expiry, which ends every membership.
#include <string>
#include <utility>

#include "server/connections/connection.hpp"

namespace weft::server::connections {

void Connection::on_frame(const proto::Refresh& refresh) {
  const base::TokenVerifier& verifier = services_.verifier;
  if (refresh.token.size() > base::max_token_bytes) {
    // As at the upgrade (its headers hold at most 8 KiB): refused before anything reads it.
    return send_error(proto::ErrorCode::unauthorized,
                      "the token is larger than " + std::to_string(base::max_token_bytes) +
                          " bytes; the previous token stays in force");
  }
  auto next = verifier.verify(refresh.token);
  if (!next) {
    return send_error(proto::ErrorCode::unauthorized,
                      next.error().reason + "; the previous token stays in force");
  }
  if (verifier.enabled() && next->user_id != principal_.user_id) {
    return send_error(proto::ErrorCode::unauthorized,
                      "the token is for another user; the previous token stays in force");
  }
  send(proto::Refreshed{next->expires ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(
                                            std::max<std::int64_t>(*next->expires, 0)))
                                      : std::nullopt});
  base::Principal previous = std::exchange(principal_, std::move(*next));
  token_expired_ = false;
  for (auto it = documents_.begin(); it != documents_.end();) {
    const base::Access before = previous.access(it->first);
    const base::Access after = principal_.access(it->first);
    if (after == base::Access::none) {
      it->second->change_access(id_, peer_, base::Access::none, proto::ErrorCode::access_revoked,
                                "the new token gives no access to this document");
      it = documents_.erase(it);
      continue;
    }
    if (before == base::Access::write && after == base::Access::read) {
      it->second->change_access(id_, peer_, base::Access::read, proto::ErrorCode::access_revoked,
                                "read-only now: the new token gives read access only");
    } else if (before != after) {
      it->second->change_access(id_, peer_, after, std::nullopt, {});  // an upgrade: silent
    }
    ++it;
  }
}

void Connection::on_token_expired() {
  if (closed_) return;
  token_expired_ = true;
  for (auto& [doc, document] : std::exchange(documents_, {})) {
    document->change_access(id_, peer_, base::Access::none, proto::ErrorCode::token_expired,
                            "the token expired: refresh, then join again");
  }
}

}  // namespace weft::server::connections
