package handoff

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

func TestOpenAISummarizer(t *testing.T) {
	t.Parallel()
	release := make(chan struct{}) // closed before the fake server, so a hung handler ends
	tests := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		want    string
	}{
		{"success", func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Model    string `json:"model"`
				Messages []struct{ Role, Content string }
			}
			if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer k" {
				http.Error(w, "bad request line", http.StatusBadRequest)
				return
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "m" || len(req.Messages) != 2 ||
				!strings.Contains(req.Messages[1].Content, "包裹一直沒到") {
				http.Error(w, "bad body", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"choices":[{"message":{"role":"assistant","content":" 顧客等包裹兩週，要求主管。 "}}]}`))
		}, time.Second, "顧客等包裹兩週，要求主管。"},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, time.Second, ""},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}, 50 * time.Millisecond, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			if tt.name == "timeout" {
				t.Cleanup(func() { close(release) })
			}
			sum, err := NewOpenAISummarizer(OpenAIConfig{BaseURL: srv.URL + "/v1/", APIKey: "k", Model: "m", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			rdb, prefix := redistest.New(t)
			tr, _ := sharedTranslator()
			clk := testclock.At(at(t, "2026-11-23 10:00"))
			svc, err := New(Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: &recorder{}, Clock: clk.Now,
				Summarizer: sum, SummaryTimeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			f := &fixture{svc: svc, clock: clk}
			c := f.open(t, "U1", supervisor)
			svc.Wait()
			got, err := svc.Get(context.Background(), lead, c.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got.Summary != tt.want {
				t.Errorf("Summary = %q, want %q", got.Summary, tt.want)
			}
			if got.Status != StatusQueued || len(svc.Brief(got, "en")) < 4 {
				t.Errorf("case not fine after summary %s: status %s", tt.name, got.Status)
			}
		})
	}
}
