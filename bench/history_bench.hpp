// history_bench.hpp — `weft-bench history`: the latency of the history reads of a running
// weft-server (docs/http-api.md, "History") on one document.
//
//   weft-bench history --server HOST:PORT --doc ID [--runs N] [--token JWT]
//
// Asks each request kind `runs` times (default 20) over fresh HTTP connections, after one untimed
// warm-up request that fills the server's history cache (its time is printed as cold_ms): the
// timeline, the text at 5 versions spread over the log (10%, 30%, ..., 90%), whole-document blame,
// and a diff between the versions at 10% and 90%. One JSON line per kind on stdout with p50, p99
// and max in milliseconds (bench/README.md).
#pragma once

namespace weft::bench {

// The words after "history". Returns the exit code: 0 if every request was answered 200, 1 if
// not, 2 on bad arguments.
[[nodiscard]] int history_main(int argc, char** argv);

}  // namespace weft::bench
