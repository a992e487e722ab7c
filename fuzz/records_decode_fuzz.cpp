// records_decode_fuzz.cpp — arbitrary bytes to every stored-record decoder (proto/records.hpp).
//
// Stored records come back from disk, where they can be damaged: decoding must never crash, and
// whatever decodes must encode back to a record that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/records.hpp"

namespace {

template <class Decode, class Encode>
void round_trip(std::string_view bytes, Decode decode, Encode encode) {
  const auto value = decode(bytes);
  if (!value) return;
  const auto again = decode(encode(*value));
  if (!again || !(*again == *value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace weft::proto;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  round_trip(bytes, decode_op_record, [](const OpRecord& r) { return encode(r); });
  round_trip(bytes, decode_snapshot_record, [](const SnapshotRecord& r) { return encode(r); });
  round_trip(bytes, decode_document_meta, [](const DocumentMeta& r) { return encode(r); });
  round_trip(bytes, decode_named_version, [](const NamedVersion& r) { return encode(r); });
  round_trip(bytes, decode_chunk, [](const std::vector<OpRecord>& r) { return encode_chunk(r); });
  return 0;
}
