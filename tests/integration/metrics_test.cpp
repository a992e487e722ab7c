// metrics_test.cpp — GET /metrics of the real binary: Prometheus text with every family, and
// values that follow what clients did.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"

namespace weft::integration {

TEST_SUITE("integration: metrics") {
  TEST_CASE("GET /metrics has every family, with values after some typing") {
    Harness h;
    INFO("server log:\n" << h.server.log());
    client::Session& a = h.client("typed");
    client::Session& b = h.client("typed");
    std::mt19937 rng{5};
    for (int i = 0; i < 20; ++i) random_edit(a, "typed", rng, "abc");
    REQUIRE(h.wait_until([&] { return a.acked("typed") && b.text("typed") == a.text("typed"); }));
    const HttpReply reply = http_request(h.server.port(), "GET", "/metrics");
    REQUIRE(reply.status == 200);
    CHECK(reply.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
    const std::string& text = reply.body;
    INFO("metrics:\n" << text);
    for (const char* family :
         {"weft_connections", "weft_documents_loaded", "weft_joins_total",
          "weft_ops_received_total", "weft_ops_applied_total", "weft_ops_rejected_total",
          "weft_bytes_received_total", "weft_bytes_sent_total", "weft_presence_updates_total",
          "weft_store_commit_seconds", "weft_batch_ops", "weft_ack_latency_seconds",
          "weft_queued_events", "weft_divergence_reports_total"}) {
      CHECK_MESSAGE(text.find(std::string("# TYPE ") + family + " ") != std::string::npos, family);
    }
    CHECK(metric_sample(text, "weft_connections") == 2);
    CHECK(metric_sample(text, "weft_documents_loaded") == 1);
    CHECK(metric_sample(text, "weft_joins_total") == 2);
    CHECK(metric_sample(text, "weft_ops_applied_total") >= 20);
    CHECK(metric_sample(text, "weft_ops_received_total") >=
          metric_sample(text, "weft_ops_applied_total"));
    CHECK(metric_sample(text, "weft_bytes_received_total") > 0);
    CHECK(metric_sample(text, "weft_bytes_sent_total") > 0);
    CHECK(metric_sample(text, "weft_store_commit_seconds_count") >= 1);
    CHECK(metric_sample(text, "weft_ack_latency_seconds_count") >= 1);
    CHECK(metric_sample(text, "weft_batch_ops_sum") >= 20);
    CHECK(text.find("weft_store_commit_seconds_bucket{le=\"0.001\"}") != std::string::npos);
    CHECK(metric_sample(text, "weft_queued_events") == 0);
  }

  // weft_closes_total has a series per reason, so it appears with the first close.
  TEST_CASE("closes are counted by reason") {
    Harness h;
    client::Session& a = h.client("x");
    a.disconnect();
    REQUIRE(h.wait_until([&] {
      const std::string text = http_request(h.server.port(), "GET", "/metrics").body;
      return text.find("weft_closes_total{reason=") != std::string::npos;
    }));
  }
}

}  // namespace weft::integration
