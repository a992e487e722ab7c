// hostile_capacity_test.cpp — hostile input (issue 13): unit-id capacity, read-only joins, the
// pending-op buffer and the replica table under one hostile writer.
