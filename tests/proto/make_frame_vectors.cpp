// make_frame_vectors.cpp — writes the golden wire vectors (proto/testdata/frames/frames.json):
// run it after changing a case or the codec, review the diff, and commit the output.
//
// Usage: make_frame_vectors [OUTPUT_FILE]   (default: <source>/proto/testdata/frames/frames.json)
// The cases are in frame_vector_cases.cpp; proto_tests fails if the committed file differs from
// what they produce.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/proto/frame_vector_cases.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path file =
      argc > 1 ? fs::path(argv[1])
               : fs::path(WEFT_SOURCE_DIR) / "proto" / "testdata" / "frames" / "frames.json";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << weft::proto::testing::make_frames_json();
  if (!out) {
    std::fprintf(stderr, "make_frame_vectors: cannot write %s\n", file.c_str());
    return 1;
  }
  std::printf("make_frame_vectors: wrote %s\n", file.c_str());
  return 0;
}
