package inbox

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/report"
)

// The case ledger export, for leads: the same rows, columns and CSV
// formula guard as `warmline ledger export` (ledger.Export), customers
// always pseudonymised (revealing LINE ids is the operator's command-line
// choice, not the browser's).
//
//	GET /api/ledger/export?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv|jsonl][&lang=zh-TW|zh-CN|en]
//	    cases opened on those days (the SLA policy's zone, both included),
//	    as a download; with lang the CSV is a sheet for people in that
//	    language (column and code names, the inbox's download link asks for
//	    the lead's language), without it the machine-readable CSV of
//	    `warmline ledger export` (ledger.Columns, codes)
//
// Mounted with Config.History.

// exportMaxDays bounds one export (about the 2-year retention).
const exportMaxDays = 800

func (in *Inbox) ledgerExport(w http.ResponseWriter, r *http.Request, _ handoff.Agent) error {
	q := r.URL.Query()
	loc := in.svc.Policy().Location
	from, err1 := time.ParseInLocation(time.DateOnly, q.Get("from"), loc)
	last, err2 := time.ParseInLocation(time.DateOnly, q.Get("to"), loc)
	switch {
	case err1 != nil || err2 != nil:
		return fmt.Errorf("%w: from and to must be dates (YYYY-MM-DD)", errBadRequest)
	case last.Before(from):
		return fmt.Errorf("%w: to is before from", errBadRequest)
	case last.Sub(from) > exportMaxDays*24*time.Hour:
		return fmt.Errorf("%w: at most %d days at once", errBadRequest, exportMaxDays)
	}
	format := q.Get("format")
	if format == "" {
		format = ledger.FormatCSV
	}
	if format != ledger.FormatCSV && format != ledger.FormatJSONL {
		return fmt.Errorf("%w: format must be csv or jsonl", errBadRequest)
	}
	recs, err := in.history.Records(r.Context(), from, last.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	opts := ledger.ExportOptions{Format: format, Location: loc}
	if l := q.Get("lang"); l != "" {
		if !locales.IsSupported(l) {
			return fmt.Errorf("%w: lang must be zh-TW, zh-CN or en", errBadRequest)
		}
		opts.Lang, opts.Tr, opts.DispositionLabel = l, in.tr, in.dispositionLabel
		opts.TopicLabel = func(topic, lang string) string { return report.TopicName(in.tr, in.svc, lang, topic) }
	}
	if err := ledger.Export(&buf, recs, opts); err != nil {
		return err
	}
	ctype := "text/csv; charset=utf-8"
	if format == ledger.FormatJSONL {
		ctype = "application/x-ndjson; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="warmline-ledger-%s_%s.%s"`, q.Get("from"), q.Get("to"), format))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}
