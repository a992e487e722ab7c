// hostile_resources_test.cpp — hostile input (issue 13): resource bounds before authentication and
// per connection, idle HTTP connections, exports, log floods, signals, request smuggling, shutdown
// during deletes.
