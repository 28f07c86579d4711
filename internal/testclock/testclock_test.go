package testclock

import (
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	c := New()
	if got := c.Now(); !got.Equal(Start) {
		t.Fatalf("New().Now() = %v, want %v", got, Start)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), Start.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance: got %v, want %v", got, want)
	}
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(at)
	if got := c.Now(); !got.Equal(at) {
		t.Fatalf("after Set: got %v, want %v", got, at)
	}
}

func TestClockConcurrent(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Advance(time.Second)
			_ = c.Now()
		}()
	}
	wg.Wait()
	if got, want := c.Now(), Start.Add(50*time.Second); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
