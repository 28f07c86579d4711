package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/warmline/warmline/ledger"
)

// taipei is the zone of the export's dates (Taiwan keeps no daylight
// saving time).
var taipei = time.FixedZone("Asia/Taipei", 8*60*60)

// ledgerCmd reads the case ledger the environment names (the server's
// WARMLINE_DATABASE_URL or WARMLINE_LEDGER_FILE).
func ledgerCmd(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New("usage: warmline ledger export --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|jsonl] [--reveal-customers]")
	}
	fs := flag.NewFlagSet("ledger export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "first day (Taipei date, YYYY-MM-DD) of the cases' dates, required")
	to := fs.String("to", "", "last day (Taipei date, YYYY-MM-DD), included, required")
	format := fs.String("format", ledger.FormatCSV, "csv or jsonl")
	reveal := fs.Bool("reveal-customers", false, "write customers' LINE user ids instead of their pseudonyms")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("ledger export: unexpected arguments %v", fs.Args())
	}
	var errs []error
	start, err := time.ParseInLocation(time.DateOnly, *from, taipei)
	if err != nil {
		errs = append(errs, fmt.Errorf("--from %q: want a date like 2026-11-01", *from))
	}
	last, err := time.ParseInLocation(time.DateOnly, *to, taipei)
	if err != nil {
		errs = append(errs, fmt.Errorf("--to %q: want a date like 2026-11-30", *to))
	}
	if len(errs) == 0 && last.Before(start) {
		errs = append(errs, fmt.Errorf("--to %s is before --from %s", *to, *from))
	}
	if *format != ledger.FormatCSV && *format != ledger.FormatJSONL {
		errs = append(errs, fmt.Errorf("--format %q: want csv or jsonl", *format))
	}
	if len(errs) > 0 {
		return fmt.Errorf("ledger export:\n%w", errors.Join(errs...))
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" && cfg.LedgerFile == "" {
		return errors.New("ledger export: no ledger to read: set WARMLINE_DATABASE_URL or WARMLINE_LEDGER_FILE as the server has them (the demo's ledger is in the server's memory)")
	}
	lc, _ := ledgerConfig(cfg)
	store, err := ledger.Open(ctx, lc)
	if err != nil {
		return fmt.Errorf("ledger export: %w", err)
	}
	defer store.Close()
	recs, err := store.Records(ctx, start, last.AddDate(0, 0, 1))
	if err != nil {
		return fmt.Errorf("ledger export: %w", err)
	}
	return ledger.Export(stdout, recs, ledger.ExportOptions{Format: *format, RevealCustomers: *reveal, Location: taipei})
}
