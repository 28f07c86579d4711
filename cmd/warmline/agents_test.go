package main

import "testing"

// testAgentsFile is the agents file the e2e instances load.
func testAgentsFile(t testing.TB) string { return "agents: []\n" }
