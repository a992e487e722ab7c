// hostile_tokens_test.cpp — hostile input (issue 13): oversized and deeply nested tokens,
// out-of-range claims, deeply nested JSON in the HTTP API and weft-replay imports.
