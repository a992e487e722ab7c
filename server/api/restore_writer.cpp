// restore_writer.cpp — RestoreWriter: frames in (decoded), ops made from the live replica out.
#include "server/api/restore_writer.hpp"

#include <utility>
#include <variant>

#include "proto/frame_codec.hpp"
#include "server/documents/restore_ops.hpp"

namespace weft::server::api {

void RestoreWriter::start(std::shared_ptr<documents::Document> document, std::uint64_t connection,
                          std::string user, crdt::Rga target, std::uint64_t max_run, Done done) {
  documents::Document& joined = *document;
  auto writer = std::make_shared<RestoreWriter>(std::move(document), connection, std::move(target),
                                                max_run, std::move(done));
  joined.join(connection, writer, proto::Join{joined.id(), {}, {}, {}, {}}, base::Access::write,
              std::move(user));
}

RestoreWriter::RestoreWriter(std::shared_ptr<documents::Document> document,
                             std::uint64_t connection, crdt::Rga target, std::uint64_t max_run,
                             Done done)
    : document_(std::move(document)),
      connection_(connection),
      target_(std::move(target)),
      max_run_(max_run),
      done_(std::move(done)) {}

std::vector<crdt::Op> RestoreWriter::make_ops(const crdt::Rga& live, crdt::ReplicaId self) {
  if (!done_) return {};
  documents::RestoreOps restore =
      documents::restore_ops(live, target_, self, live.version().get(self), max_run_);
  outcome_.inserted = restore.inserted;
  outcome_.deleted = restore.deleted;
  if (restore.ops.empty()) finish({});
  return std::move(restore.ops);
}

void RestoreWriter::send(std::shared_ptr<const std::string> frame) {
  if (!done_) return;
  auto decoded = proto::decode_frame(*frame);
  if (!decoded) return finish("undecodable frame from the document");
  if (std::holds_alternative<proto::Joined>(*decoded) && !sent_) {
    sent_ = true;
    document_->ops_from_live(
        connection_, shared_from_this(),
        [self = shared_from_this()](const crdt::Rga& live, crdt::ReplicaId replica) {
          return self->make_ops(live, replica);
        });
  } else if (std::holds_alternative<proto::Ack>(*decoded)) {
    finish({});
  } else if (const auto* error = std::get_if<proto::Error>(&*decoded)) {
    finish(error->name + ": " + error->message);
  }
}

void RestoreWriter::close(proto::CloseCode, std::string_view reason) {
  if (done_) finish("closed: " + std::string(reason));
}

void RestoreWriter::finish(std::string error) {
  auto done = std::exchange(done_, nullptr);
  document_->leave(connection_, nullptr);
  outcome_.error = std::move(error);
  done(std::move(outcome_));
}

}  // namespace weft::server::api
