package ledger

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/internal/testclock"
)

// TestExportCSVEscaping: what a spreadsheet or a CSV reader gets back is
// the text as written: commas, quotes, newlines and Chinese survive, and
// cells starting with = + - @ are not formulas.
func TestExportCSVEscaping(t *testing.T) {
	tests := []struct {
		name, request, want string
	}{
		{"comma", "退款, 還有發票", "退款, 還有發票"},
		{"quotes", `他說 "明天到"`, `他說 "明天到"`},
		{"newline", "第一行\n第二行\nthird", "第一行\n第二行\nthird"},
		{"zh-CN", "快递怎么还没到？", "快递怎么还没到？"},
		{"formula =", "=HYPERLINK(\"http://x\",\"點我\")", "'=HYPERLINK(\"http://x\",\"點我\")"},
		{"formula +", "+2 items missing", "'+2 items missing"}, // a phone number is masked first: TestExportMasksTheRequestUnlessRevealed
		{"formula -", "-2+3", "'-2+3"},
		{"formula @", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"formula tab", "\t=1", "'\t=1"},
		{"plain", "where is my order", "where is my order"},
	}
	start := testclock.Start
	var recs []Record
	for _, tt := range tests {
		c := closedCase("CS-20261123-0001", start)
		recs = append(recs, Record{CaseID: "CS-1", Created: start, Closed: start.Add(time.Hour), Customer: "c-0011223344556677",
			CustomerID: "U1", Request: tt.request, Status: c.Status, Satisfaction: 5, OwnerName: "林, 小美"})
	}
	var buf bytes.Buffer
	if err := Export(&buf, recs, ExportOptions{Format: FormatCSV}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV a reader takes back: %v", err)
	}
	if d := cmp.Diff(Columns, rows[0]); d != "" {
		t.Fatalf("header (-want +got):\n%s", d)
	}
	col := func(name string) int {
		for i, c := range Columns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := rows[i+1]
			if got := row[col("request")]; got != tt.want {
				t.Errorf("request cell = %q, want %q", got, tt.want)
			}
			if got := row[col("owner")]; got != "林, 小美" {
				t.Errorf("owner cell = %q", got)
			}
			if got := row[col("customer")]; got != "c-0011223344556677" {
				t.Errorf("customer cell = %q, want the pseudonym", got)
			}
			if got := row[col("date")]; got != "2026-11-23" {
				t.Errorf("date = %q, want the Taipei date 2026-11-23", got)
			}
		})
	}
}

// TestExportFromStore: both formats from a store's records, pseudonyms
// unless revealed, empty cells (JSON null) where a value does not apply.
func TestExportFromStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		start := testclock.Start
		c := closedCase("CS-20261123-0001", start)
		apply(t, s, caseEntry(c, c.ClosedAt))
		recs, err := s.Records(context.Background(), start, start.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var csvOut, jsonOut, revealed bytes.Buffer
		if err := Export(&csvOut, recs, ExportOptions{Format: FormatCSV}); err != nil {
			t.Fatal(err)
		}
		if err := Export(&jsonOut, recs, ExportOptions{Format: FormatJSONL}); err != nil {
			t.Fatal(err)
		}
		if err := Export(&revealed, recs, ExportOptions{Format: FormatCSV, RevealCustomers: true}); err != nil {
			t.Fatal(err)
		}
		wantCSV := strings.Join(Columns, ",") + "\n" +
			"2026-11-23,CS-20261123-0001," + s.Pseudonym(c.UserID) + ",complaint,P2,L2,包裹延遲三天了，請幫我查,resolved,\"物流商補寄, 單號 123\",4,Amy Lin,600,7200,true,human,shipping_delay,zh-TW,2026-11-23T19:00:00+08:00,\n"
		if d := cmp.Diff(wantCSV, csvOut.String()); d != "" {
			t.Errorf("csv (-want +got):\n%s", d)
		}
		if strings.Contains(csvOut.String(), c.UserID) || !strings.Contains(revealed.String(), ","+c.UserID+",") {
			t.Error("the user id must appear only when revealed")
		}
		var row map[string]any
		if err := json.Unmarshal(jsonOut.Bytes(), &row); err != nil {
			t.Fatalf("jsonl: %v\n%s", err, jsonOut.String())
		}
		if len(row) != len(Columns) || row["first_response_s"] != 600.0 || row["sla_met"] != true || row["request"] != c.Request {
			t.Errorf("jsonl row %v", row)
		}
	})
}

func TestExportUnknownFormat(t *testing.T) {
	if err := Export(&bytes.Buffer{}, nil, ExportOptions{Format: "xlsx"}); err == nil {
		t.Error("format xlsx accepted")
	}
}

// TestExportMasksTheRequestUnlessRevealed (tryout 11 #17): a pseudonymised
// export does not carry the customer's phone digits, order number or
// e-mail in the request they wrote (the CSV's customer column was a
// pseudonym while its request said 手機末四碼3295); with the customers
// revealed the request is as written. The resolution (the agent's words)
// is left as it is.
func TestExportMasksTheRequestUnlessRevealed(t *testing.T) {
	rec := Record{CaseID: "CS-20261203-0001", Created: testclock.Start, Closed: testclock.Start, Customer: "c-0011223344556677",
		CustomerID: "U4af4980629a1b2c3d4e5f6a7b8c9d0e1", Request: "馬克杯破掉了，訂單 WL20261107，手機末四碼3295，mail me at amy@example.com",
		Resolution: "補寄新品，單號 123"}
	for _, tt := range []struct {
		name    string
		opts    ExportOptions
		request string
	}{
		{"csv", ExportOptions{Format: FormatCSV}, "馬克杯破掉了，訂單 [order]，手機末四碼[number]，mail me at [email]"},
		{"jsonl", ExportOptions{Format: FormatJSONL}, "馬克杯破掉了，訂單 [order]，手機末四碼[number]，mail me at [email]"},
		{"csv revealed", ExportOptions{Format: FormatCSV, RevealCustomers: true}, rec.Request},
		{"jsonl revealed", ExportOptions{Format: FormatJSONL, RevealCustomers: true}, rec.Request},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, []Record{rec}, tt.opts); err != nil {
				t.Fatal(err)
			}
			var request, resolution string
			if tt.opts.Format == FormatJSONL {
				var row map[string]any
				if err := json.Unmarshal(buf.Bytes(), &row); err != nil {
					t.Fatal(err)
				}
				request, resolution = row["request"].(string), row["resolution"].(string)
			} else {
				rows, err := csv.NewReader(&buf).ReadAll()
				if err != nil || len(rows) != 2 {
					t.Fatalf("rows %v, %v", rows, err)
				}
				request, resolution = rows[1][6], rows[1][8]
			}
			if request != tt.request {
				t.Errorf("request = %q, want %q", request, tt.request)
			}
			if resolution != rec.Resolution {
				t.Errorf("resolution = %q, want it as written %q", resolution, rec.Resolution)
			}
		})
	}
}
