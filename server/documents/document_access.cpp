// document_access.cpp — Document's part of authentication (PROTOCOL.md §13): members whose access
// changes (a refresh narrowed or widened the rights, or the token expired) and read-only members,
// whose ops are refused.
#include <utility>

#include <boost/asio/post.hpp>

#include "crdt/op.hpp"
#include "server/documents/document.hpp"

namespace weft::server::documents {

void Document::change_access(std::uint64_t connection, std::shared_ptr<Peer> peer,
                             base::Access access, std::optional<proto::ErrorCode> why,
                             std::string message) {
  post(AccessEvent{connection, std::move(peer), access, why, std::move(message)});
}

// Queued like every other event, so it applies after the member's earlier frames (its join
// included) and before its later ones.
void Document::handle_access(AccessEvent event) {
  Member* member = membership_.find(event.connection);
  if (member == nullptr) return;  // no longer a member (left, taken over, failed join)
  if (event.access == base::Access::none) {
    remove_member(event.connection);
  } else {
    member->access = event.access;
  }
  if (event.why) send_error(*event.peer, *event.why, std::move(event.message));
}

bool Document::admit_writer(const Member& member, const proto::Ops& ops) const {
  if (member.access == base::Access::write) return true;
  // One error per frame, naming its first op: a read-only client should not be flooded back.
  std::optional<crdt::Id> first;
  if (!ops.ops.empty()) first = crdt::Id{crdt::op_replica(ops.ops[0]), crdt::op_seq(ops.ops[0])};
  send_error(*member.peer, proto::ErrorCode::read_only,
             std::to_string(ops.ops.size()) + " op(s) refused: this member has read access only",
             first);
  return false;
}

}  // namespace weft::server::documents
