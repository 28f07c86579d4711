package browsertest

import (
	"os"
	"strings"
	"testing"
)

// TestMissingChromiumFailsWhereRequired: a missing browser skips a test on
// a developer's machine, and fails it where WARMLINE_REQUIRE_BROWSER or CI
// says the browser tests must run (a skip there would pass unseen); a
// browser that is there does neither.
func TestMissingChromiumFailsWhereRequired(t *testing.T) {
	missing := "/nonexistent/warmline/chromium"
	present, err := os.Executable() // this test binary: a file that exists
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		env       map[string]string
		wantMsg   string // "" for none
		wantFatal bool
	}{
		{"present, CI", present, map[string]string{"CI": "true"}, "", false},
		{"missing, nothing set", missing, nil, "SKIPPING BROWSER TEST", false},
		{"missing, CI=false", missing, map[string]string{"CI": "false"}, "SKIPPING BROWSER TEST", false},
		{"missing, require 0", missing, map[string]string{RequireEnv: "0"}, "SKIPPING BROWSER TEST", false},
		{"missing, CI=true", missing, map[string]string{"CI": "true"}, "CI=true requires it", true},
		{"missing, require 1", missing, map[string]string{RequireEnv: "1"}, RequireEnv + "=1 requires it", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, fatal := missingChromium(tt.path, func(k string) string { return tt.env[k] })
			if fatal != tt.wantFatal || (tt.wantMsg == "") != (msg == "") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("missingChromium(%s, %v) = %q, fatal %v; want %q, fatal %v", tt.path, tt.env, msg, fatal, tt.wantMsg, tt.wantFatal)
			}
			if msg != "" && !strings.Contains(msg, tt.path) {
				t.Errorf("message %q does not name %s", msg, tt.path)
			}
		})
	}
}
