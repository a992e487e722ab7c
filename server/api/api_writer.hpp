// api_writer.hpp — ApiWriter: a server-side member that types one text into a document through
// the normal pipeline (join, ops, durable ack), for POST /api/docs with initial text.
//
// It joins fresh (getting a replica of its own, recorded in the replica table), inserts the text
// at the start of the document as ops of at most chunk_units code points chained one after the
// other, waits for the ack and leaves. `done` runs once, on the document's strand: an empty
// string on success, else the error frame's message.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.hpp"
#include "server/documents/document.hpp"
#include "server/documents/peer.hpp"

namespace weft::server::api {

using documents::Document;

class ApiWriter final : public documents::Peer, public std::enable_shared_from_this<ApiWriter> {
 public:
  static constexpr std::uint64_t chunk_units = 16 * 1024;

  // Starts: joins `document` as connection `connection`.
  static void start(std::shared_ptr<Document> document, std::uint64_t connection, std::string text,
                    std::uint64_t max_run, std::function<void(std::string error)> done);

  ApiWriter(std::shared_ptr<Document> document, std::uint64_t connection, std::string text,
            std::uint64_t max_run, std::function<void(std::string error)> done);

  void send(std::shared_ptr<const std::string> frame) override;
  void close(proto::CloseCode code, std::string_view reason) override;

  // The insert ops of `text` by `replica` from seq 0, each at most `units` code points.
  [[nodiscard]] static std::vector<crdt::Op> insert_ops(crdt::ReplicaId replica,
                                                        std::string_view text, std::uint64_t units);

 private:
  void finish(std::string error);

  std::shared_ptr<Document> document_;
  std::uint64_t connection_;
  std::string text_;
  std::uint64_t max_run_;
  std::function<void(std::string)> done_;
  bool sent_ = false;
};

}  // namespace weft::server::api
