// load_bench.hpp — `weft-bench load`: many WebSocket clients typing into a real weft-server.
//
// Starts a weft-server on a free port with a temporary data directory (or uses the one given
// with --server), connects docs x clients-per-doc lightweight typists that join their document
// and each send `rate` one-character inserts per second (or, with --max, as many as a window of
// unacknowledged ops allows), and measures delivery latency, durable throughput, the server's
// RSS and CPU, and the memory of one idle connection. One JSON line on stdout (bench/README.md).
#pragma once

namespace weft::bench {

// The words after "load". Returns the exit code: 0 if no client saw an error and every op was
// acknowledged and delivered, 1 if not, 2 on bad arguments.
[[nodiscard]] int load_main(int argc, char** argv);

}  // namespace weft::bench
