package ledger

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/locales"
)

// TestExportForPeople (issue 11, handoff14): the lead's CSV, in the lead's
// language, names its columns and codes from the ledger_* locale messages
// (before: "first_response_s", "complaint", "resolved", "true",
// "refund_over_limit", "zh-TW" in every UI language); a disposition is
// named by the given labeller; closed_at is a local time. JSON lines and a
// CSV without Lang stay machine-readable (Columns and codes: the
// documented `warmline ledger export` format). Every code a record can
// carry has its name in every language.
func TestExportForPeople(t *testing.T) {
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	start := testclock.Start
	fr, rs, met := 10*time.Minute, 2*time.Hour, false
	rec := Record{CaseID: "CS-20261123-0001", Created: start, Closed: start.Add(2 * time.Hour) /* 19:00 in Taipei */, Customer: "c-0011223344556677",
		Category: handoff.CategoryComplaint, Priority: "P2", Tier: handoff.TierL2, Request: "退款還沒到", Status: handoff.StatusReturned,
		Satisfaction: 2, OwnerName: "Amy Lin", FirstResponse: &fr, ResolutionTime: &rs, SLAMet: &met,
		Trigger: escalation.KindRefund, Topic: "refund_status", Lang: "zh-CN", Disposition: "refund"}
	label := func(code, lang string) string { return "[" + lang + "] " + code }
	topic := func(id, lang string) string { return "<" + lang + "> " + id }
	for _, lang := range locales.Supported {
		t.Run(lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, []Record{rec}, ExportOptions{Format: FormatCSV, Lang: lang, Tr: tr, DispositionLabel: label, TopicLabel: topic}); err != nil {
				t.Fatal(err)
			}
			// Excel reads a CSV without a byte-order mark as the system's
			// code page (Big5 in Taiwan): every Chinese cell garbled.
			if !bytes.HasPrefix(buf.Bytes(), []byte(bom)) {
				t.Fatalf("the sheet starts %q, want a UTF-8 byte-order mark", buf.Bytes()[:min(8, buf.Len())])
			}
			buf.Next(len(bom))
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("rows %v, %v; want a header and one row", rows, err)
			}
			for i, c := range Columns {
				if want := tr.T(lang, "ledger_col_"+c, nil); rows[0][i] != want || rows[0][i] == c {
					t.Errorf("header %d = %q, want %q (not the key %s)", i, rows[0][i], want, c)
				}
			}
			row := map[string]string{}
			for i, c := range Columns {
				row[c] = rows[1][i]
			}
			want := map[string]string{
				"category":    tr.T(lang, "ledger_category_complaint", nil),
				"status":      tr.T(lang, "ledger_status_returned", nil),
				"sla_met":     tr.T(lang, "ledger_sla_met_false", nil),
				"trigger":     tr.T(lang, "ledger_trigger_refund_over_limit", nil),
				"language":    tr.T(lang, "ledger_language_zh_CN", nil),
				"disposition": "[" + lang + "] refund",
				"topic":       "<" + lang + "> refund_status",
				"closed_at":   "2026-11-23 19:00",
				"date":        "2026-11-23",
				"priority":    "P2", "tier": "L2", "request": "退款還沒到", "first_response_s": "600", "satisfaction": "2",
			}
			for c, w := range want {
				if row[c] != w {
					t.Errorf("%s = %q, want %q", c, row[c], w)
				}
			}
		})
	}

	// Every code has a name in every language (else it is written raw).
	codes := map[string][]string{
		"category": {handoff.CategoryConsultation, handoff.CategoryComplaint, handoff.CategoryFault, handoff.CategorySuggestion, "refund"},
		"status":   {handoff.StatusResolved, handoff.StatusReturned, handoff.StatusCancelled},
		"sla_met":  {"true", "false"},
		"trigger":  append(escalation.Kinds(), escalation.KindDefect, escalation.KindComplaint),
		"language": {"zh_TW", "zh_CN", "en"},
	}
	for _, lang := range locales.Supported {
		for col, list := range codes {
			for _, code := range list {
				if id := "ledger_" + col + "_" + code; !tr.Has(lang, id) {
					t.Errorf("%s has no %s", lang, id)
				}
			}
		}
	}

	// The machine-readable exports ignore Lang.
	var jl, mc bytes.Buffer
	if err := Export(&jl, []Record{rec}, ExportOptions{Format: FormatJSONL, Lang: "zh-TW", Tr: tr}); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(jl.Bytes(), &obj); err != nil || obj["category"] != "complaint" || obj["status"] != "returned" || obj["trigger"] != "refund_over_limit" {
		t.Errorf("jsonl with Lang = %v (%v), want codes", obj, err)
	}
	if err := Export(&mc, []Record{rec}, ExportOptions{Format: FormatCSV}); err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(mc.Bytes(), []byte(bom)) {
		t.Error("the machine-readable csv starts with a byte-order mark; its readers want none")
	}
	rows, _ := csv.NewReader(&mc).ReadAll()
	if len(rows) != 2 || !slices.Equal(rows[0], Columns) || !slices.Contains(rows[1], "refund_over_limit") || !slices.Contains(rows[1], "refund_status") {
		t.Errorf("machine csv = %v, want Columns and codes (the topic's id)", rows)
	}
}
