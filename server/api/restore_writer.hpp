// restore_writer.hpp — RestoreWriter: a server-side member that brings a live document's text
// back to an earlier version with new ops (POST /api/docs/{id}/restore, docs/http-api.md).
//
// It joins fresh under the caller's user (a replica of its own, recorded in the replica table),
// then has the document compute its ops on the strand from the live replica (Document::
// ops_from_live, documents/restore_ops.hpp), so every member receives them live like any other
// edit and nothing is integrated between reading the replica and applying them. It waits for the
// ack (the ops are durable) and leaves. A restore that changes nothing writes no op. `done` runs
// once, on the document's strand.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/rga.hpp"
#include "server/documents/document.hpp"
#include "server/documents/peer.hpp"

namespace weft::server::api {

class RestoreWriter final : public documents::Peer,
                            public std::enable_shared_from_this<RestoreWriter> {
 public:
  struct Outcome {
    std::string error;           // empty on success, else the error frame's message
    std::uint64_t inserted = 0;  // code points typed again
    std::uint64_t deleted = 0;   // code points deleted
  };
  using Done = std::function<void(Outcome)>;

  // Starts: joins `document` as connection `connection` under `user`, to restore `target` (the
  // document at the version to bring back, from OpStream::replay).
  static void start(std::shared_ptr<documents::Document> document, std::uint64_t connection,
                    std::string user, crdt::Rga target, std::uint64_t max_run, Done done);

  RestoreWriter(std::shared_ptr<documents::Document> document, std::uint64_t connection,
                crdt::Rga target, std::uint64_t max_run, Done done);

  void send(std::shared_ptr<const std::string> frame) override;
  void close(proto::CloseCode code, std::string_view reason) override;

 private:
  // On the strand, right before integration: the ops, or none (and done) if nothing changes.
  std::vector<crdt::Op> make_ops(const crdt::Rga& live, crdt::ReplicaId self);
  void finish(std::string error);

  std::shared_ptr<documents::Document> document_;
  std::uint64_t connection_;
  crdt::Rga target_;
  std::uint64_t max_run_;
  Done done_;
  Outcome outcome_;
  bool sent_ = false;
};

}  // namespace weft::server::api
