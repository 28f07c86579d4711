package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/cmd/warmline-load/load"
)

// TestLoadToolAgainstWarmline runs a tiny load of cmd/warmline-load against
// this warmline, answering through the tool's fake LINE: every FAQ question
// and order question is answered once, none lost, none twice.
func TestLoadToolAgainstWarmline(t *testing.T) {
	fake := load.NewFakeLINE(e2eToken, 0)
	api := httptest.NewServer(fake)
	defer api.Close()
	orders := httptest.NewServer(load.NewOrderBackend(false))
	defer orders.Close()
	h := startE2E(t, e2eOpts{env: map[string]string{
		"LINE_API_BASE_URL": api.URL, "WARMLINE_ORDERS_URL": orders.URL, "WARMLINE_ORDERS_FILE": "",
	}})
	r, err := load.Run(context.Background(), load.Config{
		WebhookURL: h.url + "/webhook", ChannelSecret: e2eSecret,
		Users: 12, Events: 50, Concurrency: 8, OrderShare: 0.2, Drain: 10 * time.Second,
	}, fake)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.Print(&b, "warmline")
	t.Log(b.String())
	if r.Acked != 50 || r.Answered != 50 || r.Lost != 0 || r.Duplicated != 0 {
		t.Errorf("acked %d answered %d lost %d duplicated %d, want 50/50/0/0", r.Acked, r.Answered, r.Lost, r.Duplicated)
	}
	if r.ByKind["order"].N == 0 || r.ByKind["faq"].N == 0 {
		t.Errorf("answers by kind %+v, want FAQ and order questions", r.ByKind)
	}
	if r.API.Profiles != 12 {
		t.Errorf("%d profile fetches, want one per user (12)", r.API.Profiles)
	}
}
