package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/ledger"
)

func TestLedgerConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    []string // substrings of the error; none: valid
		backend bool     // a ledger is configured
	}{
		{"demo: in memory", nil, nil, true},
		{"bad url hides value", map[string]string{"WARMLINE_DATABASE_URL": "mysql://u:secret@db/x"}, []string{"WARMLINE_DATABASE_URL: want postgres:// or postgresql:// (value hidden)"}, false},
		{"two backends", map[string]string{"WARMLINE_DATABASE_URL": "postgres://db/x", "WARMLINE_LEDGER_FILE": "l.db"}, []string{"choose PostgreSQL or SQLite"}, false},
		{"bad retention", map[string]string{"WARMLINE_LEDGER_RETENTION": "forever"}, []string{"WARMLINE_LEDGER_RETENTION"}, false},
		{"postgres", map[string]string{"WARMLINE_DATABASE_URL": "postgresql://db/x", "WARMLINE_LEDGER_RETENTION": "8760h"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(envFrom(tt.env))
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want it to contain %q", err, w)
				}
			}
			if len(tt.want) > 0 {
				if err != nil && strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows the URL's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := ledgerConfig(c); ok != tt.backend {
				t.Errorf("ledger configured = %v, want %v", ok, tt.backend)
			}
		})
	}
	c, _ := loadConfig(envFrom(nil))
	if c.LedgerRetention != 2*365*24*time.Hour {
		t.Errorf("default retention %v, want 2 years", c.LedgerRetention)
	}
	// Production without a ledger: none (closed cases stay in Redis).
	if _, ok := ledgerConfig(Config{Demo: false}); ok {
		t.Error("production without WARMLINE_DATABASE_URL or WARMLINE_LEDGER_FILE has a ledger")
	}
}

// TestE2ELedgerExport: a case handled through the real server (production
// mode, SQLite file ledger) reaches the ledger, and `warmline ledger export`
// writes it with the SOP columns, the customer pseudonymised unless asked,
// formula cells defused.
func TestE2ELedgerExport(t *testing.T) {
	t.Parallel()
	o := handoffOpts()
	file := filepath.Join(t.TempDir(), "ledger.db")
	o.env["WARMLINE_LEDGER_FILE"] = file
	h := startE2E(t, o)
	h.say(alice, "我要找真人客服，我的訂單 WL20261101 一直沒到", 1)
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	h.agentResolves(alice, c.ID, 3*time.Minute, "=補寄, \"今天\"到")
	h.tap(alice, handoff.CSATData(c.ID, 4), 1)

	day := c.CreatedAt.In(taipei).Format(time.DateOnly)
	export := func(extra ...string) []string {
		t.Helper()
		var out, errOut bytes.Buffer
		args := append([]string{"ledger", "export", "--from", day, "--to", day}, extra...)
		if err := run(context.Background(), args, envFrom(h.env), nil, &out, &errOut); err != nil {
			t.Fatalf("warmline %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		if strings.Contains(strings.Join(extra, " "), "jsonl") {
			return strings.Split(strings.TrimSpace(out.String()), "\n")
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v", err)
		}
		if len(rows) < 1 || strings.Join(rows[0], ",") != strings.Join(ledger.Columns, ",") {
			t.Fatalf("header %v, want %v", rows, ledger.Columns)
		}
		if len(rows) != 2 {
			return nil
		}
		return rows[1]
	}
	col := map[string]int{}
	for i, name := range ledger.Columns {
		col[name] = i
	}
	var row []string
	waitUntil(t, "the rated case in the export", func() bool { row = export(); return row != nil && row[col["satisfaction"]] == "4" })
	want := map[string]string{
		"date": day, "case_id": c.ID, "status": "resolved", "resolution": `'=補寄, "今天"到`, "satisfaction": "4",
		"owner": "林美玲", "first_response_s": "180", "sla_met": "true", "trigger": c.Triggers[0].Kind, "tier": c.Tier,
		"priority": c.Priority, "language": "zh-TW",
	}
	for k, v := range want {
		if row[col[k]] != v {
			t.Errorf("%s = %q, want %q", k, row[col[k]], v)
		}
	}
	if cust := row[col["customer"]]; !strings.HasPrefix(cust, "c-") || strings.Contains(strings.Join(row, ","), alice) {
		t.Errorf("customer %q: want a pseudonym and the user id nowhere", cust)
	}
	if got := export("--reveal-customers")[col["customer"]]; got != alice {
		t.Errorf("revealed customer %q, want %s", got, alice)
	}
	lines := export("--format", "jsonl")
	var obj map[string]any
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &obj) != nil || obj["case_id"] != c.ID || obj["satisfaction"] != 4.0 {
		t.Errorf("jsonl export %q", lines)
	}
}

func TestLedgerExportUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no subcommand", []string{"ledger"}, nil, "usage: warmline ledger export"},
		{"bad dates", []string{"ledger", "export", "--from", "11/01", "--to", "2026-11-30"}, nil, `--from "11/01"`},
		{"reversed", []string{"ledger", "export", "--from", "2026-11-30", "--to", "2026-11-01"}, nil, "is before --from"},
		{"bad format", []string{"ledger", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx"}, nil, `--format "xlsx"`},
		{"demo has no ledger to read", []string{"ledger", "export", "--from", "2026-11-01", "--to", "2026-11-30"}, nil, "no ledger to read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, envFrom(tt.env), nil, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}
