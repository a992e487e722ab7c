// hostile_catch_up_test.cpp — hostile input (issue 13): joins of documents of the maximum size,
// joiners that never read.
