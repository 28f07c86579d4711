package ledger

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// Columns are the export's columns, in order: the SOP's ledger columns
// (date, customer, category, priority, request, resolution, satisfaction,
// owner, completion time) with the SLA facts and what the reports group by.
var Columns = []string{
	"date", "case_id", "customer", "category", "priority", "tier", "request", "status", "resolution",
	"satisfaction", "owner", "first_response_s", "resolution_s", "sla_met", "trigger", "topic", "language", "closed_at",
	"disposition",
}

// ExportOptions say how records are written.
type ExportOptions struct {
	Format string // FormatCSV or FormatJSONL
	// RevealCustomers writes LINE user ids instead of pseudonyms (the
	// operator asked for them).
	RevealCustomers bool
	// Location of the date column and closed_at (default Asia/Taipei).
	Location *time.Location
}

// taipei is UTC+8 all year (Taiwan keeps no daylight saving time).
var taipei = time.FixedZone("Asia/Taipei", 8*60*60)

// Export writes recs to w in the chosen format, one line (CSV: after a
// header) per record with Columns. CSV cells that a spreadsheet would take
// for a formula (starting with = + - @, tab or carriage return) get a
// leading apostrophe.
func Export(w io.Writer, recs []Record, o ExportOptions) error {
	loc := o.Location
	if loc == nil {
		loc = taipei
	}
	switch o.Format {
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(Columns); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		for _, r := range recs {
			cells := r.cells(o.RevealCustomers, loc)
			for i, c := range cells {
				cells[i] = guardFormula(c)
			}
			if err := cw.Write(cells); err != nil {
				return fmt.Errorf("export csv: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		return nil
	case FormatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range recs {
			if err := enc.Encode(r.jsonRow(o.RevealCustomers, loc)); err != nil {
				return fmt.Errorf("export jsonl: %w", err)
			}
		}
		return nil
	}
	return fmt.Errorf("export: format %q: want %s or %s", o.Format, FormatCSV, FormatJSONL)
}

func (r Record) customer(reveal bool) string {
	if reveal {
		return r.CustomerID
	}
	return r.Customer
}

func (r Record) owner() string {
	if r.OwnerName != "" {
		return r.OwnerName
	}
	return r.OwnerID
}

// cells is the record's CSV row (Columns order).
func (r Record) cells(reveal bool, loc *time.Location) []string {
	sat, fr, rs, met := "", "", "", ""
	if r.Satisfaction > 0 {
		sat = strconv.Itoa(r.Satisfaction)
	}
	if r.FirstResponse != nil {
		fr = strconv.FormatInt(int64(*r.FirstResponse/time.Second), 10)
	}
	if r.ResolutionTime != nil {
		rs = strconv.FormatInt(int64(*r.ResolutionTime/time.Second), 10)
	}
	if r.SLAMet != nil {
		met = strconv.FormatBool(*r.SLAMet)
	}
	return []string{
		r.Created.In(loc).Format(time.DateOnly), r.CaseID, r.customer(reveal), r.Category, r.Priority, r.Tier, r.Request,
		r.Status, r.Resolution, sat, r.owner(), fr, rs, met, r.Trigger, r.Topic, r.Lang, r.Closed.In(loc).Format(time.RFC3339),
		r.Disposition,
	}
}

// jsonRow is the record's JSONL object (Columns' keys; absent values null).
func (r Record) jsonRow(reveal bool, loc *time.Location) map[string]any {
	row := map[string]any{
		"date": r.Created.In(loc).Format(time.DateOnly), "case_id": r.CaseID, "customer": r.customer(reveal),
		"category": r.Category, "priority": r.Priority, "tier": r.Tier, "request": r.Request, "status": r.Status,
		"resolution": r.Resolution, "satisfaction": nil, "owner": r.owner(), "first_response_s": nil,
		"resolution_s": nil, "sla_met": nil, "trigger": r.Trigger, "topic": r.Topic, "language": r.Lang,
		"closed_at": r.Closed.In(loc).Format(time.RFC3339), "disposition": r.Disposition,
	}
	if r.Satisfaction > 0 {
		row["satisfaction"] = r.Satisfaction
	}
	if r.FirstResponse != nil {
		row["first_response_s"] = int64(*r.FirstResponse / time.Second)
	}
	if r.ResolutionTime != nil {
		row["resolution_s"] = int64(*r.ResolutionTime / time.Second)
	}
	if r.SLAMet != nil {
		row["sla_met"] = *r.SLAMet
	}
	return row
}

// guardFormula defuses a cell a spreadsheet would evaluate (OWASP's CSV
// injection advice): a leading apostrophe shows the text as typed.
func guardFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
