package report

import (
	"testing"
	"time"
)

// TestHoursMinutes: "–" only when no case was measured; a first response
// within seconds reads 0:00 (the demo agent's), not as missing.
func TestHoursMinutes(t *testing.T) {
	for _, tt := range []struct {
		n    int
		d    time.Duration
		want string
	}{
		{0, 0, "–"},
		{0, 5 * time.Minute, "–"},
		{2, 0, "0:00"},
		{2, 20 * time.Second, "0:00"},
		{1, 3 * time.Minute, "0:03"},
		{1, 26*time.Hour + 5*time.Minute, "26:05"},
	} {
		if got := hm(tt.n, tt.d); got != tt.want {
			t.Errorf("hm(%d, %v) = %q, want %q", tt.n, tt.d, got, tt.want)
		}
	}
}
