// api_writer.cpp — ApiWriter: frames in (decoded), one ops frame out.
#include "server/api/api_writer.hpp"

#include <algorithm>
#include <utility>
#include <variant>

#include "proto/frame_codec.hpp"
#include "server/documents/document.hpp"

namespace weft::server::api {

void ApiWriter::start(std::shared_ptr<Document> document, std::uint64_t connection,
                      std::string text, std::uint64_t max_run,
                      std::function<void(std::string error)> done) {
  Document& joined = *document;
  auto writer = std::make_shared<ApiWriter>(std::move(document), connection, std::move(text),
                                            max_run, std::move(done));
  joined.join(connection, writer, proto::Join{joined.id(), {}, {}, {}, {}});
}

ApiWriter::ApiWriter(std::shared_ptr<Document> document, std::uint64_t connection, std::string text,
                     std::uint64_t max_run, std::function<void(std::string error)> done)
    : document_(std::move(document)),
      connection_(connection),
      text_(std::move(text)),
      max_run_(max_run),
      done_(std::move(done)) {}

std::vector<crdt::Op> ApiWriter::insert_ops(crdt::ReplicaId replica, std::string_view text,
                                            std::uint64_t units) {
  std::vector<crdt::Op> ops;
  crdt::Seq seq = 0;
  crdt::Id parent = crdt::root_id;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = at;
    std::uint64_t n = 0;
    // Up to `units` code points: a code point starts at every byte that is not 10xxxxxx.
    while (end < text.size() && n < units) {
      ++end;
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
      ++n;
    }
    // Lamport seq + 1: increasing per replica and above every parent's (the heap rule).
    ops.emplace_back(
        crdt::InsertOp{replica, seq, seq + 1, parent, std::string(text.substr(at, end - at))});
    parent = crdt::Id{replica, seq + n - 1};
    seq += n;
    at = end;
  }
  return ops;
}

void ApiWriter::send(std::shared_ptr<const std::string> frame) {
  if (!done_) return;
  auto decoded = proto::decode_frame(*frame);
  if (!decoded) return finish("undecodable frame from the document");
  if (const auto* joined = std::get_if<proto::Joined>(&*decoded); joined != nullptr && !sent_) {
    sent_ = true;
    const std::uint64_t units = std::max<std::uint64_t>(1, std::min(chunk_units, max_run_));
    document_->ops(connection_, shared_from_this(),
                   proto::Ops{document_->id(), insert_ops(joined->replica, text_, units)});
  } else if (std::holds_alternative<proto::Ack>(*decoded)) {
    finish({});
  } else if (const auto* error = std::get_if<proto::Error>(&*decoded)) {
    finish(error->name + ": " + error->message);
  }
}

void ApiWriter::close(proto::CloseCode, std::string_view reason) {
  if (done_) finish("closed: " + std::string(reason));
}

void ApiWriter::finish(std::string error) {
  auto done = std::exchange(done_, nullptr);
  document_->leave(connection_, nullptr);
  done(std::move(error));
}

}  // namespace weft::server::api
