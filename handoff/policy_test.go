package handoff

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func taipei(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatalf("load Asia/Taipei: %v", err)
	}
	return loc
}

func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, taipei(t))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func TestDefaultPolicyValues(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	want := map[string]SLA{
		"P1": {15 * time.Minute, 2 * time.Hour},
		"P2": {time.Hour, 9 * time.Hour},       // 1 working day: 24h of business time came out later than P3's (issue 11 item 3)
		"P3": {4 * time.Hour, 9 * time.Hour},   // 1 working day of 09:00–18:00
		"P4": {24 * time.Hour, 90 * time.Hour}, // 10 working days
	}
	for pr, w := range want {
		if got := p.SLA[pr]; got != w {
			t.Errorf("SLA[%s] = %+v, want %+v", pr, got, w)
		}
	}
	if !p.AlwaysOpen["P1"] || p.AlwaysOpen["P2"] {
		t.Errorf("always_open = %v, want only P1", p.AlwaysOpen)
	}
	if p.Location.String() != "Asia/Taipei" {
		t.Errorf("timezone = %s, want Asia/Taipei", p.Location)
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	tests := []struct {
		name     string
		start    string
		d        time.Duration
		priority string
		want     string
	}{
		{"within the day", "2026-11-23 10:00", 4 * time.Hour, "P3", "2026-11-23 14:00"},
		{"Friday 17:30 runs over the weekend", "2026-11-20 17:30", 4 * time.Hour, "P3", "2026-11-23 12:30"},
		{"opened Saturday starts Monday", "2026-11-21 10:00", 4 * time.Hour, "P3", "2026-11-23 13:00"},
		{"before opening", "2026-11-23 08:00", time.Hour, "P2", "2026-11-23 10:00"},
		{"after hours", "2026-11-23 18:30", time.Hour, "P2", "2026-11-24 10:00"},
		{"ends exactly at close", "2026-11-23 17:00", time.Hour, "P2", "2026-11-23 18:00"},
		{"holiday skipped (Constitution Day)", "2026-12-24 17:00", 4 * time.Hour, "P3", "2026-12-28 12:00"},
		{"two holidays (Mid-Autumn Fri, Teachers' Day Mon)", "2026-09-24 16:00", 4 * time.Hour, "P3", "2026-09-29 11:00"},
		{"one working day", "2026-11-24 10:00", 9 * time.Hour, "P3", "2026-11-25 10:00"},
		{"ten working days", "2026-11-23 09:00", 90 * time.Hour, "P4", "2026-12-04 18:00"},
		// No on-call rota in the embedded policy: P1 counts business time
		// (bot15 item 9; with a rota it runs 24/7, TestAfterHoursPromiseFollowsThePolicy).
		{"P1 without on-call waits for Monday", "2026-11-21 03:00", 15 * time.Minute, "P1", "2026-11-23 09:15"},
		{"P1 without on-call over midnight", "2026-11-23 23:00", 2 * time.Hour, "P1", "2026-11-24 11:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Due(at(t, tt.start), tt.d, tt.priority)
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("Due(%s, %s, %s) = %s, want %s", tt.start, tt.d, tt.priority,
					got.In(p.Location).Format("2006-01-02 15:04 Mon"), tt.want)
			}
		})
	}
}

func TestTeamOpenAndNextOpen(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	tests := []struct {
		at       string
		open     bool
		nextOpen string
	}{
		{"2026-11-23 09:00", true, "2026-11-23 09:00"},
		{"2026-11-23 17:59", true, "2026-11-23 17:59"},
		{"2026-11-23 18:00", false, "2026-11-24 09:00"},
		{"2026-11-23 08:59", false, "2026-11-23 09:00"},
		{"2026-11-20 18:00", false, "2026-11-23 09:00"}, // Friday evening
		{"2026-11-22 12:00", false, "2026-11-23 09:00"}, // Sunday
		{"2026-12-25 12:00", false, "2026-12-28 09:00"}, // holiday Friday
		{"2026-02-13 18:30", false, "2026-02-23 09:00"}, // Lunar New Year week
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			if got := p.TeamOpen(at(t, tt.at)); got != tt.open {
				t.Errorf("TeamOpen(%s) = %v, want %v", tt.at, got, tt.open)
			}
			if got, want := p.NextOpen(at(t, tt.at)), at(t, tt.nextOpen); !got.Equal(want) {
				t.Errorf("NextOpen(%s) = %s, want %s", tt.at, got.In(p.Location), want)
			}
		})
	}
}

func TestLoadPolicy(t *testing.T) {
	t.Parallel()
	good := `timezone: Asia/Taipei
business_hours: {days: [mon, tue, wed, thu, fri, sat], open: "10:00", close: "19:00"}
always_open: [P1, P2]
on_call: {P1: 10m, P2: 30m}
sla:
  P1: {first_response: 10m, resolution: 1h}
  P2: {first_response: 30m, resolution: 24h}
  P3: {first_response: 2h, resolution: 1wd}
  P4: {first_response: 3wd, resolution: 10wd}
holidays: [2026-11-24]
`
	tests := []struct {
		name    string
		file    string
		wantErr []string
	}{
		{"valid", good, nil},
		{"bad day and time", strings.Replace(strings.Replace(good, "sat]", "sab]", 1), `"19:00"`, `"7pm"`, 1),
			[]string{"business_hours.days", "business_hours.close"}},
		{"missing priority", strings.Replace(good, "  P4: {first_response: 3wd, resolution: 10wd}\n", "", 1), []string{"sla.P4"}},
		{"bad duration", strings.Replace(good, "2h", "two hours", 1), []string{"sla.P3.first_response"}},
		{"bad holiday", strings.Replace(good, "2026-11-24", "24/11/2026", 1), []string{"holidays[0]"}},
		{"unknown field", good + "vip: true\n", []string{"vip"}},
		{"on call for a priority that does not run around the clock", strings.Replace(good, "on_call: {P1: 10m, P2: 30m}", "on_call: {P1: 10m, P3: 1h}", 1), []string{"on_call.P3"}},
		{"bad on-call target", strings.Replace(good, "on_call: {P1: 10m, P2: 30m}", "on_call: {P1: soon, P2: 30m}", 1), []string{"on_call.P1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(tt.file)}}, "p.yaml")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadPolicy: %v", err)
				}
				// Closes at 19:00, the 24th is a holiday: 30m on Monday, 1h30 on Wednesday.
				if got, want := p.Due(at(t, "2026-11-23 18:30"), 2*time.Hour, "P3"), at(t, "2026-11-25 11:30"); !got.Equal(want) {
					t.Errorf("custom Due = %s, want %s", got.In(p.Location), want)
				}
				if got, want := p.SLA["P4"].FirstResponse, 27*time.Hour; got != want {
					t.Errorf("3wd = %s, want %s", got, want)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadPolicy succeeded, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}
