// Package browsertest drives Debian's headless Chromium (/usr/bin/chromium)
// in tests: one set-up with the same flags everywhere, waits on a condition
// that survive navigation, clicks that find and click an element in one
// JavaScript evaluation (so a node the page re-rendered can never be stale),
// and screenshots saved as test artifacts.
//
// A test without Chromium on the machine is skipped with a message saying
// so, or fails where the browser is required (WARMLINE_REQUIRE_BROWSER, or
// CI as CI services set it); any other failure to start the browser fails
// the test.
package browsertest
