package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
)

// BenchmarkE2EThroughput measures the whole path: signed webhook → durable
// queue → workers → engine (KB match, Redis state) → reply on the emulator.
// It reports answered events per second and the webhook's ack latency.
//
//	go test -run '^$' -bench E2EThroughput -benchtime 2000x ./cmd/warmline/
func BenchmarkE2EThroughput(b *testing.B) {
	h := startE2E(b, e2eOpts{env: map[string]string{"WARMLINE_WORKERS": "8", "WARMLINE_LOG_LEVEL": "error"}})
	const users = 50
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%032x", i+1)
		h.emu.AddUser(lineemu.Profile{UserID: ids[i], DisplayName: "load", Language: "en"})
	}
	questions := []string{"How much is shipping?", "Do points expire?", "How do I use a coupon?", "Can I pay in instalments?"}
	var (
		mu   sync.Mutex
		lats []time.Duration
	)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16) // concurrent webhook deliveries
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			t0 := time.Now()
			if _, err := h.emu.SendText(context.Background(), ids[i%users], questions[i%len(questions)]); err != nil {
				b.Error(err)
				return
			}
			d := time.Since(t0)
			mu.Lock()
			lats = append(lats, d)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	acked := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for i, u := range ids {
		want := b.N / users
		if i < b.N%users {
			want++
		}
		if want == 0 {
			continue
		}
		if _, err := h.emu.WaitMessages(ctx, u, want); err != nil {
			b.Fatalf("user %d: %v", i, err)
		}
	}
	total := time.Since(start)
	b.StopTimer()
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	if len(lats) > 0 {
		b.ReportMetric(float64(b.N)/total.Seconds(), "answered/s")
		b.ReportMetric(float64(b.N)/acked.Seconds(), "acked/s")
		b.ReportMetric(float64(lats[len(lats)/2].Microseconds())/1000, "ack-p50-ms")
		b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1000, "ack-p99-ms")
	}
}
