// trace.hpp — editing traces (../shared/traces/README.md) loaded into plain structs, once per
// process, for weft-bench and the trace replay tests.
//
// A sequential trace is one writer's patches in order; a concurrent trace adds, per transaction,
// its agent and its parents (indexes of earlier transactions). Positions and lengths count Unicode
// code points. Loading never throws: a missing file, bad gzip or JSON that is not a trace is a
// TraceError value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace weft::bench {

// Removes `del` code points at `pos`, then inserts `ins` (UTF-8) at `pos`.
struct Patch {
  std::uint64_t pos = 0;
  std::uint64_t del = 0;
  std::string_view ins;  // points into the owning Trace
};

struct Txn {
  std::span<const Patch> patches;          // applied one after another
  std::span<const std::uint32_t> parents;  // earlier txn indexes; empty in sequential traces
  std::uint32_t agent = 0;                 // 0 .. num_agents - 1; 0 in sequential traces
};

enum class TraceKind : std::uint8_t { sequential, concurrent };

// Move-only: the spans and views in `txns` and `patches` point into storage the Trace owns, which
// a move keeps in place.
struct Trace {
  std::string name;  // file name without .json.gz
  TraceKind kind = TraceKind::sequential;
  std::uint32_t num_agents = 1;
  std::string end_content;
  std::vector<Txn> txns;
  std::vector<Patch> patches;  // every patch of every txn, in file order

  Trace() = default;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;
  Trace(Trace&&) noexcept = default;
  Trace& operator=(Trace&&) noexcept = default;
  ~Trace() = default;

  // What the spans and views above point into.
  std::vector<std::uint32_t> parent_storage;
  std::vector<char> text_storage;  // every insert string, back to back; never empty once loaded
};

enum class TraceErrc : std::uint8_t { cannot_open, bad_gzip, bad_json, bad_shape };

struct TraceError {
  TraceErrc code = TraceErrc::cannot_open;
  std::string message;  // names the file and what is wrong with it
};

template <class T>
using TraceResult = tl::expected<T, TraceError>;

[[nodiscard]] inline tl::unexpected<TraceError> trace_error(TraceErrc code, std::string message) {
  return tl::unexpected(TraceError{code, std::move(message)});
}

// Reads a gzipped (or plain) JSON trace file.
[[nodiscard]] TraceResult<Trace> load_trace(const std::filesystem::path& path);
// Parses a trace from its JSON text (trace_parse.cpp); `name` is only used for Trace::name and
// messages.
[[nodiscard]] TraceResult<Trace> parse_trace(std::string_view json, std::string name);
// Reads a gzipped (or plain) file whole.
[[nodiscard]] TraceResult<std::string> read_gzip_file(const std::filesystem::path& path);

// True if the file declares "kind":"concurrent" near its start (where the traces put it). A cheap
// filter before a full load; load_trace() remains the authority.
[[nodiscard]] bool looks_concurrent(const std::filesystem::path& path);

// The traces folder: $WEFT_TRACES_DIR if set, else WEFT_SHARED_DIR/traces (set at build time).
[[nodiscard]] std::filesystem::path traces_dir();
// The *.json.gz files directly in `dir`, sorted by name; empty if `dir` cannot be listed.
[[nodiscard]] std::vector<std::filesystem::path> list_traces(const std::filesystem::path& dir);
// "automerge-paper" for ".../automerge-paper.json.gz".
[[nodiscard]] std::string trace_name(const std::filesystem::path& path);

}  // namespace weft::bench
