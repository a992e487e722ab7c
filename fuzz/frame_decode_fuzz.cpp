// frame_decode_fuzz.cpp — arbitrary bytes to decode_frame (proto/frame_codec.hpp).
//
// Every WebSocket message a server or client receives goes through decode_frame: it must never
// crash, throw or allocate from declared sizes, and whatever decodes must encode to bytes that
// decode to the same frame (the canonical form is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/frame_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace weft::proto;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto frame = decode_frame(bytes);
  if (!frame) {
    if (frame.error().message.empty()) std::abort();
    return 0;
  }
  const std::string encoded = encode_frame(*frame);
  const auto again = decode_frame(encoded);
  if (!again || !(*again == *frame)) std::abort();
  if (encode_frame(*again) != encoded) std::abort();
  return 0;
}
