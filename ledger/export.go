package ledger

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/warmline/warmline/internal/pii"
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
	// operator asked for them) and the request as the customer wrote it.
	// Without it the request is masked (pii.Mask: phone numbers, e-mail,
	// order numbers, LINE ids, runs of 4+ digits such as a phone's last
	// four), so a customer's own words do not undo the pseudonym.
	RevealCustomers bool
	// Location of the date column and closed_at (default Asia/Taipei).
	Location *time.Location
	// Lang (with Tr) makes the CSV a sheet for people in that language
	// (the lead's download): the header row is the columns' names and
	// the codes (category, status, SLA met, trigger, language,
	// disposition) are their names, from the ledger_* locale messages;
	// closed_at is a local "2006-01-02 15:04"; the file starts with a
	// UTF-8 byte-order mark (bom). A code without a message is
	// written as it is. Empty Lang: the machine-readable CSV (Columns,
	// codes), the documented format `warmline ledger export` writes.
	// JSON lines are always machine-readable.
	Lang string
	Tr   Translator
	// DispositionLabel names a disposition code in Lang (the operator's
	// list of codes lives with the inbox); nil or "": the code.
	DispositionLabel func(code, lang string) string
	// TopicLabel names a topic (a KB entry id or a flow the bot runs) in
	// Lang, as the lead's other screens do; nil or "": the id.
	TopicLabel func(topic, lang string) string
}

// bom starts a CSV for people: spreadsheet programs (Excel on Windows,
// what a Taiwan lead opens it with) then read it as UTF-8, not Big5.
const bom = "\ufeff"

// Translator renders locale messages (locales.Translator).
type Translator interface {
	T(lang, id string, data map[string]any) string
	Has(lang, id string) bool
}

// codeColumns are the columns whose values are codes a sheet for people
// names from ledger_<column>_<code> messages.
var codeColumns = map[string]bool{"category": true, "status": true, "sla_met": true, "trigger": true, "language": true}

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
		people := o.Lang != "" && o.Tr != nil
		if people {
			if _, err := io.WriteString(w, bom); err != nil {
				return fmt.Errorf("export csv: %w", err)
			}
		}
		cw := csv.NewWriter(w)
		header := Columns
		if people {
			header = o.header()
		}
		if err := cw.Write(header); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		for _, r := range recs {
			cells := r.cells(o.RevealCustomers, loc)
			if people {
				o.name(cells, r, loc)
			}
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

// header is the CSV's header row in o.Lang: ledger_col_<column>.
func (o ExportOptions) header() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c
		if id := "ledger_col_" + c; o.Tr.Has(o.Lang, id) {
			out[i] = o.Tr.T(o.Lang, id, nil)
		}
	}
	return out
}

// name replaces the codes of a CSV row (Columns order) with their names in
// o.Lang.
func (o ExportOptions) name(cells []string, r Record, loc *time.Location) {
	for i, c := range Columns {
		switch {
		case cells[i] == "":
		case codeColumns[c]:
			if id := "ledger_" + c + "_" + strings.ReplaceAll(cells[i], "-", "_"); o.Tr.Has(o.Lang, id) {
				cells[i] = o.Tr.T(o.Lang, id, nil)
			}
		case c == "disposition" && o.DispositionLabel != nil:
			if l := o.DispositionLabel(cells[i], o.Lang); l != "" {
				cells[i] = l
			}
		case c == "topic" && o.TopicLabel != nil:
			if l := o.TopicLabel(cells[i], o.Lang); l != "" {
				cells[i] = l
			}
		case c == "closed_at":
			cells[i] = r.Closed.In(loc).Format("2006-01-02 15:04")
		}
	}
}

func (r Record) customer(reveal bool) string {
	if reveal {
		return r.CustomerID
	}
	return r.Customer
}

// request is the customer's request as exported: masked unless reveal.
func (r Record) request(reveal bool) string {
	if reveal {
		return r.Request
	}
	return pii.Mask(r.Request)
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
		r.Created.In(loc).Format(time.DateOnly), r.CaseID, r.customer(reveal), r.Category, r.Priority, r.Tier, r.request(reveal),
		r.Status, r.Resolution, sat, r.owner(), fr, rs, met, r.Trigger, r.Topic, r.Lang, r.Closed.In(loc).Format(time.RFC3339),
		r.Disposition,
	}
}

// jsonRow is the record's JSONL object (Columns' keys; absent values null).
func (r Record) jsonRow(reveal bool, loc *time.Location) map[string]any {
	row := map[string]any{
		"date": r.Created.In(loc).Format(time.DateOnly), "case_id": r.CaseID, "customer": r.customer(reveal),
		"category": r.Category, "priority": r.Priority, "tier": r.Tier, "request": r.request(reveal), "status": r.Status,
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
