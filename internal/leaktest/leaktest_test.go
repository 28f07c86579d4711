package leaktest

import "testing"

// The package's own binary is checked with the same set-up.
func TestMain(m *testing.M) { Main(m) }

func TestNothingLeaks(t *testing.T) {
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}
