// document_host.hpp — what a Document needs from the server around it: the services it reports
// to and persists through (DocumentServices, passed by main() through the registry), and the
// small host interface it calls when it leaves the registry or needs its successor.
//
// Documents see only this: not the registry, not the transport, not main().
#pragma once
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "server/base/config.hpp"
#include "server/base/metrics.hpp"
#include "server/documents/op_stream.hpp"

namespace spdlog {
class logger;
}

namespace weft::server::documents {

class Document;

// Requires: every referenced service outlives the documents.
struct DocumentServices {
  const base::ServerConfig& config;
  OpStream& stream;
  base::Metrics& metrics;
  spdlog::logger& log;
  boost::asio::any_io_executor executor;  // documents' strands are made on it
  // Document::check_invariants() after every handler (unit tests, the protocol-core fuzzer).
  bool check_invariants = false;
};

class DocumentHost {
 public:
  virtual ~DocumentHost() = default;
  // The live document `id` now, loaded if needed: where a released document forwards the events
  // that still reach it.
  [[nodiscard]] virtual std::shared_ptr<Document> successor(const std::string& id) = 0;
  // Called by `document` on its strand when it is idle and persisted, or failed: forgets it
  // unless it was acquired again meanwhile. True if it was forgotten.
  virtual bool release(const Document& document) = 0;
};

}  // namespace weft::server::documents
