// frame_vector_cases.hpp — the golden wire vectors (proto/testdata/frames/frames.json): their
// cases, the JSON description of a frame, and the writer.
//
// make_frame_vectors writes make_frames_json() to disk; proto_tests checks that the committed file
// is byte for byte what it returns. Format: proto/testdata/frames/README.md.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "proto/frame.hpp"

namespace weft::proto::testing {

// The whole frames.json file.
[[nodiscard]] std::string make_frames_json();

// A frame as the vectors describe it, e.g. {"type":"ack","doc":"a","next_seq":5}.
[[nodiscard]] nlohmann::ordered_json describe(const Frame& frame);

[[nodiscard]] std::string to_hex(std::string_view bytes);
// Requires: an even number of hex digits (spaces are skipped).
[[nodiscard]] std::string from_hex(std::string_view hex);

}  // namespace weft::proto::testing
