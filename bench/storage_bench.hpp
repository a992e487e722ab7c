// storage_bench.hpp — `weft-bench storage`: durable appends (one writer; many documents at once,
// group-committed), and the cold load of the automerge-paper document with its size on disk; with
// --redis URL also RedisStore's durable appends and that document's memory in Redis.
// One JSON object per measurement on stdout, as `weft-bench crdt` prints (bench/README.md).
#pragma once

namespace weft::bench {

// The words after "storage": [--data DIR] [--runs N] [--ops N] [--threads N] [--redis URL]. Returns
// the exit code: 0 if every line is ok, 1 if not, 2 on bad arguments.
[[nodiscard]] int storage_main(int argc, char** argv);

}  // namespace weft::bench
