package orders

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestNewFileBackendErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr []string
	}{
		{"not json", `orders`, []string{"parse orders file"}},
		{"no orders array", `{}`, []string{`missing "orders"`}},
		{"unknown field", `{"orders":[{"number":"WL1","status":"paid","colour":"red"}]}`, []string{"unknown field"}},
		{"trailing data", `{"orders":[]} {}`, []string{"trailing data"}},
		{"bad status", `{"orders":[{"number":"WL20261101","status":"lost"}]}`, []string{`unknown status "lost"`}},
		{"duplicate, case-insensitive", `{"orders":[{"number":"WL20261101","status":"paid"},{"number":"wl20261101","status":"paid"}]}`, []string{"order 1 (wl****1101): duplicate number"}},
		{"empty number", `{"orders":[{"number":" ","status":"paid"}]}`, []string{"empty number"}},
		{"bad item", `{"orders":[{"number":"WL20261101","status":"paid","items":[{"name":"","quantity":0}]}]}`, []string{"empty name", "quantity 0"}},
		{"bad time", `{"orders":[{"number":"WL20261101","status":"paid","eta":"tomorrow"}]}`, []string{"parse orders file"}},
		{"all problems at once", `{"orders":[{"number":"WL1","status":"x"},{"number":"WL2","status":"y"}]}`, []string{`"x"`, `"y"`}},
		{"names in an unknown language", `{"orders":[{"number":"WL20261101","status":"paid","carrier":"黑貓","carrier_names":{"jp":"x"},"items":[{"name":"杯","names":{"fr":"tasse"},"quantity":1}]}]}`, []string{`carrier_names: unknown language "jp"`, `item 0: names: unknown language "fr"`}},
		{"unknown pickup type", `{"orders":[{"number":"WL20261101","status":"ready_for_pickup","pickup":{"type":"locker","store_names":{"xx":"y"}}}]}`, []string{`pickup: unknown type "locker"`, `store_names: unknown language "xx"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"orders.json": {Data: []byte(tt.file)}}
			b, err := NewFileBackend(fsys, "orders.json")
			if err == nil {
				t.Fatalf("NewFileBackend = %v, nil; want an error", b)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "WL20261101") {
				t.Errorf("error %q carries a full order number", err)
			}
		})
	}
}

func TestNewFileBackendMissingFile(t *testing.T) {
	if _, err := NewFileBackend(fstest.MapFS{}, "orders.json"); err == nil {
		t.Fatal("NewFileBackend(missing file) = nil error")
	}
}

func TestFileBackendLookup(t *testing.T) {
	fsys := fstest.MapFS{"o.json": {Data: []byte(`{"orders":[
		{"number":"wl20261101","status":"in_transit","eta":"2026-11-24T18:00:00+08:00","items":[{"name":"杯","quantity":2}]}
	]}`)}}
	b, err := NewFileBackend(fsys, "o.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		number  string
		wantErr error
	}{
		{"exact", "WL20261101", nil},
		{"lower case", "wl20261101", nil},
		{"padded", " WL20261101 ", nil},
		{"missing", "WL20269999", ErrNotFound},
		{"empty", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := b.Lookup(context.Background(), tt.number)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Lookup(%q) error = %v, want %v", tt.number, err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if o.Number != "WL20261101" || o.Status != StatusInTransit {
				t.Fatalf("Lookup(%q) = %+v, want WL20261101 in_transit", tt.number, o)
			}
			if want := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC); !o.ETA.Equal(want) {
				t.Fatalf("ETA = %v, want %v", o.ETA, want)
			}
		})
	}

	// A caller mutating the result must not change the backend's data.
	o, _ := b.Lookup(context.Background(), "WL20261101")
	o.Items[0].Quantity = 99
	again, _ := b.Lookup(context.Background(), "WL20261101")
	if again.Items[0].Quantity != 2 {
		t.Fatalf("backend data changed through a returned order: quantity %d", again.Items[0].Quantity)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Lookup(ctx, "WL20261101"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lookup(cancelled ctx) error = %v, want context.Canceled", err)
	}
}

// The localised names and pickup are optional: an order without them (the
// contract before they existed) loads as before; with them, a lookup
// returns copies the caller cannot use to change the backend's data.
func TestLocalisedNamesAndPickup(t *testing.T) {
	file := `{"orders":[
		{"number":"WL20261101","status":"paid","carrier":"黑貓宅急便","items":[{"name":"杯","quantity":1}]},
		{"number":"WL20261102","status":"ready_for_pickup","carrier":"7-ELEVEN 取貨","carrier_names":{"en":"7-ELEVEN pickup"},
		 "items":[{"name":"蠟燭","names":{"en":"Candle","zh-CN":"蜡烛"},"quantity":3}],
		 "pickup":{"type":"seven_eleven","store":"信義門市","store_names":{"en":"Xinyi store"},"deadline":"2026-11-30T23:59:00+08:00"}}]}`
	b, err := NewFileBackend(fstest.MapFS{"orders.json": {Data: []byte(file)}}, "orders.json")
	if err != nil {
		t.Fatalf("NewFileBackend: %v", err)
	}
	ctx := context.Background()
	plain, err := b.Lookup(ctx, "WL20261101")
	if err != nil || plain.CarrierNames != nil || plain.Pickup != nil || plain.Items[0].Names.In("en") != "" {
		t.Fatalf("order without names: %+v, %v", plain, err)
	}
	o, err := b.Lookup(ctx, "WL20261102")
	if err != nil {
		t.Fatal(err)
	}
	if o.CarrierNames.In("en") != "7-ELEVEN pickup" || o.Items[0].Names.In("zh-CN") != "蜡烛" || o.Pickup == nil ||
		o.Pickup.Type != PickupSevenEleven || o.Pickup.StoreNames.In("en") != "Xinyi store" || o.Pickup.Deadline.IsZero() {
		t.Errorf("order with names: %+v", o)
	}
	o.CarrierNames["en"], o.Items[0].Names["en"], o.Pickup.StoreNames["en"], o.Pickup.Store = "x", "x", "x", "x"
	again, _ := b.Lookup(ctx, "WL20261102")
	if again.CarrierNames.In("en") != "7-ELEVEN pickup" || again.Items[0].Names.In("en") != "Candle" ||
		again.Pickup.StoreNames.In("en") != "Xinyi store" || again.Pickup.Store != "信義門市" {
		t.Errorf("a caller changed the backend's data: %+v", again)
	}
}

func TestDemoOrders(t *testing.T) {
	b, err := NewDemoBackend(DemoAnchor)
	if err != nil {
		t.Fatalf("demo orders do not load: %v", err)
	}
	if b.Len() < 10 {
		t.Fatalf("demo has %d orders, want at least 10", b.Len())
	}

	// Alice owns exactly WL20261101..03; the others are unlinked.
	ctx := context.Background()
	seen := map[string]bool{}
	carriers := map[string]bool{}
	for i := 1101; i <= 1100+b.Len(); i++ {
		number := "WL2026" + strconv.Itoa(i)
		o, err := b.Lookup(ctx, number)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", number, err)
		}
		seen[o.Status] = true
		carriers[o.Carrier] = true
		wantAlice := i <= 1103
		if OwnedBy(o, alice) != wantAlice {
			t.Errorf("%s owned by Alice = %v, want %v", number, !wantAlice, wantAlice)
		}
		if !wantAlice && o.LineUserID != "" {
			t.Errorf("%s is linked to %q, want unlinked", number, o.LineUserID)
		}
		if len(asciiDigits(o.Phone)) < 4 {
			t.Errorf("%s has no usable phone", number)
		}
		if o.PlacedAt.IsZero() || len(o.Items) == 0 || o.Total <= 0 {
			t.Errorf("%s lacks placed_at, items or total", number)
		}
		if (o.Status == StatusShipped || o.Status == StatusInTransit || o.Status == StatusReadyForPickup) &&
			(o.Carrier == "" || o.TrackingNumber == "" || o.ETA.IsZero()) {
			t.Errorf("%s is %s without carrier, tracking number or ETA", number, o.Status)
		}
	}
	for _, s := range Statuses {
		if !seen[s] {
			t.Errorf("no demo order has status %s", s)
		}
	}
	for _, c := range []string{"黑貓宅急便", "新竹物流", "7-ELEVEN 取貨", "全家取貨"} {
		if !carriers[c] {
			t.Errorf("no demo order ships with %s", c)
		}
	}
	o, _ := b.Lookup(ctx, "WL20261104")
	if !PhoneLast4Matches(o, "8402") {
		t.Errorf("WL20261104 phone %q does not end in 8402 (docs/order-backend.md)", o.Phone)
	}
}

// The demo's dates follow the day it runs on (whole days, Taipei), so no
// demo order looks late by the calendar alone; the order file's contract
// is unchanged (TestFileBackend* read dates as stored).
func TestDemoOrdersFollowTheClock(t *testing.T) {
	ctx := context.Background()
	at, err := NewDemoBackend(DemoAnchor)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := NewFileBackend(DemoFS(), DemoFile)
	if err != nil {
		t.Fatal(err)
	}
	later := DemoAnchor.Add(8*24*time.Hour + 7*time.Hour) // 2026-12-01 17:00 Taipei
	moved, err := NewDemoBackend(later)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"WL20261101", "WL20261102", "WL20261103"} {
		s, _ := stored.Lookup(ctx, n)
		a, _ := at.Lookup(ctx, n)
		m, _ := moved.Lookup(ctx, n)
		if !a.PlacedAt.Equal(s.PlacedAt) || !a.ETA.Equal(s.ETA) {
			t.Errorf("%s at the anchor: placed %v eta %v, want the stored %v %v", n, a.PlacedAt, a.ETA, s.PlacedAt, s.ETA)
		}
		if d := m.PlacedAt.Sub(s.PlacedAt); d != 8*24*time.Hour {
			t.Errorf("%s placed_at moved by %v, want 8 days", n, d)
		}
		if !s.ETA.IsZero() && m.ETA.Sub(s.ETA) != 8*24*time.Hour {
			t.Errorf("%s eta moved by %v, want 8 days", n, m.ETA.Sub(s.ETA))
		}
		if s.Pickup != nil && m.Pickup.Deadline.Sub(s.Pickup.Deadline) != 8*24*time.Hour {
			t.Errorf("%s pickup deadline moved by %v, want 8 days", n, m.Pickup.Deadline.Sub(s.Pickup.Deadline))
		}
	}
	// The trial's order: on its way, due after today, whatever today is.
	o, _ := moved.Lookup(ctx, "WL20261101")
	if !o.ETA.After(later) || o.PlacedAt.After(later) {
		t.Errorf("WL20261101 placed %v eta %v, want placed before and due after %v", o.PlacedAt, o.ETA, later)
	}
	// The newest order was placed on the day the demo runs.
	var newest time.Time
	for i := 1101; i <= 1100+moved.Len(); i++ {
		o, _ := moved.Lookup(ctx, "WL2026"+strconv.Itoa(i))
		if o.PlacedAt.After(newest) {
			newest = o.PlacedAt
		}
	}
	if y, m, d := newest.In(DemoAnchor.Location()).Date(); y != 2026 || m != 12 || d != 1 {
		t.Errorf("newest order placed %v, want on 2026-12-01 (Taipei)", newest)
	}
}
