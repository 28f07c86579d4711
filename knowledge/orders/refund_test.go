package orders

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

var testRefund = RefundRequest{
	ID: "conv-1:WL20261106:300", Number: "wl20261106", Amount: 300, LineUserID: "U1", Lang: "zh-CN",
	RequestedAt: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC),
}

// refundService records the refund POSTs it gets and answers with statuses
// in order (repeating the last).
type refundService struct {
	mu       sync.Mutex
	statuses []int
	got      []recordedPost
}

type recordedPost struct {
	method, path, key, auth, contentType string
	body                                 RefundRequest
}

func (f *refundService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var body RefundRequest
	_ = json.Unmarshal(data, &body)
	f.mu.Lock()
	n := len(f.got)
	f.got = append(f.got, recordedPost{method: r.Method, path: r.URL.Path, key: r.Header.Get("Idempotency-Key"),
		auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), body: body})
	st := f.statuses[min(n, len(f.statuses)-1)]
	f.mu.Unlock()
	w.WriteHeader(st)
}

func TestHTTPBackendRecordRefund(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		wantErr   error // nil, ErrNotFound, ErrUnavailable, errOther
		wantCalls int
	}{
		{name: "201", statuses: []int{201}, wantCalls: 1},
		{name: "204", statuses: []int{204}, wantCalls: 1},
		{name: "409 already recorded", statuses: []int{409}, wantCalls: 1},
		{name: "503 then 201", statuses: []int{503, 201}, wantCalls: 2},
		{name: "persistent 500", statuses: []int{500}, wantErr: ErrUnavailable, wantCalls: 3},
		{name: "404", statuses: []int{404}, wantErr: ErrNotFound, wantCalls: 1},
		{name: "400 not retried", statuses: []int{400}, wantErr: errOther, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &refundService{statuses: tt.statuses}
			srv := httptest.NewServer(svc)
			t.Cleanup(srv.Close)
			b, err := NewHTTPBackend(HTTPConfig{BaseURL: srv.URL + "/api", Token: "s3cret", Client: srv.Client(),
				Timeout: time.Second, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			err = b.RecordRefund(context.Background(), testRefund)
			checkErr(t, err, tt.wantErr)
			if err != nil && strings.Contains(err.Error(), "20261106") {
				t.Errorf("error %q holds the full order number", err)
			}
			if len(svc.got) != tt.wantCalls {
				t.Fatalf("got %d requests, want %d", len(svc.got), tt.wantCalls)
			}
			for _, p := range svc.got {
				if p.method != http.MethodPost || p.path != "/api/orders/WL20261106/refund-requests" {
					t.Errorf("got %s %s, want POST /api/orders/WL20261106/refund-requests", p.method, p.path)
				}
				if p.key != testRefund.ID || p.auth != "Bearer s3cret" || p.contentType != "application/json" {
					t.Errorf("got Idempotency-Key %q, Authorization %q, Content-Type %q", p.key, p.auth, p.contentType)
				}
				want := testRefund
				want.Number = "WL20261106"
				if !p.body.RequestedAt.Equal(want.RequestedAt) {
					t.Errorf("got requested_at %v, want %v", p.body.RequestedAt, want.RequestedAt)
				}
				p.body.RequestedAt = want.RequestedAt
				if p.body != want {
					t.Errorf("got body %+v, want %+v", p.body, want)
				}
			}
		})
	}
}

var errOther = errors.New("neither ErrNotFound nor ErrUnavailable")

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch want {
	case nil:
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
	case errOther:
		if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
			t.Fatalf("got error %v, want one that is neither sentinel", err)
		}
	default:
		if !errors.Is(err, want) {
			t.Fatalf("got error %v, want %v", err, want)
		}
	}
}

func TestRecordRefundRefusesAnIncompleteRequest(t *testing.T) {
	svc := &refundService{statuses: []int{201}}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	b, err := NewHTTPBackend(HTTPConfig{BaseURL: srv.URL, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := redistest.New(t)
	book := NewRefundBook(rdb, prefix, nil)
	for _, r := range []RefundRequest{
		{Number: "WL20261106", Amount: 300, RequestedAt: testRefund.RequestedAt},
		{ID: "x", Amount: 300, RequestedAt: testRefund.RequestedAt},
		{ID: "x", Number: "WL20261106", RequestedAt: testRefund.RequestedAt},
		{ID: "x", Number: "WL20261106", Amount: 300},
	} {
		for name, rec := range map[string]RefundRecorder{"http": b, "book": book} {
			if err := rec.RecordRefund(context.Background(), r); !errors.Is(err, ErrInvalidRefund) {
				t.Errorf("%s: %+v: got %v, want ErrInvalidRefund", name, r, err)
			}
		}
	}
	if len(svc.got) != 0 {
		t.Errorf("got %d requests for invalid refunds, want 0", len(svc.got))
	}
}

func TestRefundBook(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	clock := testclock.At(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	book := NewRefundBook(rdb, prefix, clock.Now)

	later := testRefund
	later.ID, later.Number, later.Amount = "conv-2:WL20261107:500", "WL20261107", 500
	later.RequestedAt = testRefund.RequestedAt.Add(time.Hour)
	for _, r := range []RefundRequest{later, testRefund, testRefund} { // the second testRefund is a redelivery
		if err := book.RecordRefund(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := book.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].ID != testRefund.ID || pending[1].ID != later.ID {
		t.Fatalf("got pending %+v, want %s then %s", pending, testRefund.ID, later.ID)
	}
	if pending[0].Number != "WL20261106" || pending[0].Amount != 300 || pending[0].LineUserID != "U1" {
		t.Errorf("got %+v, want order WL20261106, NT$300, user U1", pending[0])
	}
	// Durable: no expiry on either key.
	for _, k := range []string{book.reqKey(testRefund.ID), book.pendingKey()} {
		if ttl := rdb.TTL(ctx, k).Val(); ttl != -1 {
			t.Errorf("%s: got TTL %v, want none", k, ttl)
		}
	}

	done, err := book.MarkDone(ctx, testRefund.ID, "boss")
	if err != nil {
		t.Fatal(err)
	}
	if done.DoneBy != "boss" || !done.DoneAt.Equal(clock.Now()) {
		t.Errorf("got done %q at %v, want boss at %v", done.DoneBy, done.DoneAt, clock.Now())
	}
	clock.Advance(time.Hour)
	if again, err := book.MarkDone(ctx, testRefund.ID, "mei"); err != nil || again.DoneBy != "boss" {
		t.Errorf("marked twice: got %+v, %v; want the first (boss) kept", again, err)
	}
	// Recording it again (a late redelivery) does not bring it back.
	if err := book.RecordRefund(ctx, testRefund); err != nil {
		t.Fatal(err)
	}
	pending, err = book.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != later.ID {
		t.Errorf("got pending %+v after done, want only %s", pending, later.ID)
	}
	if _, err := book.MarkDone(ctx, "nope", "boss"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: got %v, want ErrNotFound", err)
	}
}

func TestRefundBookForgetCustomer(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	book := NewRefundBook(rdb, prefix, nil)
	other := testRefund
	other.ID, other.LineUserID = "conv-9:WL20261106:300", "U2"
	for _, r := range []RefundRequest{testRefund, other} {
		if err := book.RecordRefund(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := book.ForgetCustomer(ctx, "U1", true); err != nil || n != 1 {
		t.Fatalf("dry run: got %d, %v; want 1", n, err)
	}
	if r, _ := book.Get(ctx, testRefund.ID); r.LineUserID != "U1" {
		t.Errorf("dry run changed the request: %+v", r)
	}
	if n, err := book.ForgetCustomer(ctx, "U1", false); err != nil || n != 1 {
		t.Fatalf("got %d, %v; want 1", n, err)
	}
	pending, err := book.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].LineUserID != "" || pending[1].LineUserID != "U2" {
		t.Errorf("got %+v, want both requests kept, U1 blanked, U2 untouched", pending)
	}
}
