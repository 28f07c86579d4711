package inbox

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/report"
)

// TestLedgerExport: a lead downloads the ledger as CSV with the same
// columns and formula guard as `warmline ledger export`, customers as
// references; JSON lines too; bad dates are 400; an L2 agent gets 403.
func TestLedgerExport(t *testing.T) {
	t.Parallel()
	e := newHistoryEnv(t)
	ctx := context.Background()
	boss, mei := e.signedIn(t, "boss"), e.signedIn(t, "mei")
	lead := mustAgent(t, e.uiEnv, "boss")
	if _, err := e.svc.Claim(ctx, lead, e.open.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveAs(ctx, lead, e.open.ID, `=HYPERLINK("http://x","補寄")`, "replacement"); err != nil {
		t.Fatal(err)
	}
	arch, err := ledger.NewArchiver(ledger.ArchiverConfig{Redis: e.rdb, Stream: e.svc.ArchiveStream(), Store: e.store, Consumer: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := arch.Step(ctx); err != nil {
		t.Fatal(err)
	}
	day := func(d time.Time) string { return d.In(e.svc.Policy().Location).Format(time.DateOnly) }
	q := "/api/ledger/export?from=" + day(e.rated.CreatedAt) + "&to=" + day(e.open.CreatedAt)
	get := func(c *agentClient, path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.hc.Get(c.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := get(mei, q); resp.StatusCode != http.StatusForbidden {
		t.Errorf("L2 export = %d, want 403", resp.StatusCode)
	}
	resp, body := get(boss, q)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export = %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	if strings.Join(rows[0], ",") != strings.Join(ledger.Columns, ",") {
		t.Errorf("header %v, want %v", rows[0], ledger.Columns)
	}
	col := map[string]int{}
	for i, c := range ledger.Columns {
		col[c] = i
	}
	if len(rows) != 5 { // header + the 4 closed cases
		t.Fatalf("%d rows, want 4 cases:\n%s", len(rows)-1, body)
	}
	machine := rows
	named := 0
	for _, r := range rows[1:] {
		if r[col["topic"]] != "" {
			named++
		}
	}
	if named == 0 {
		t.Fatal("no exported case has a topic: the sheet's topic names go untested")
	}
	last := rows[len(rows)-1]
	if last[col["case_id"]] != e.open.ID || last[col["resolution"]] != `'=HYPERLINK("http://x","補寄")` || last[col["disposition"]] != "replacement" {
		t.Errorf("last row %v: want %s with the formula defused and disposition replacement", last, e.open.ID)
	}
	if strings.Contains(body, "U-hist") || !strings.Contains(body, e.store.Pseudonym("U-hist")) {
		t.Error("customers must be references, never LINE ids")
	}
	if resp, body := get(boss, q+"&format=jsonl"); resp.StatusCode != http.StatusOK || strings.Count(body, "\n") != 4 {
		t.Errorf("jsonl = %d:\n%s", resp.StatusCode, body)
	}
	// With lang (the inbox's download link sends the lead's): a sheet for
	// people, the columns' names in that language, the same rows.
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, caseCol, customerCol string }{
		{"zh-TW", "案件", "顧客"}, {"en", "", ""}, {"zh-CN", "", ""},
	} {
		resp, body := get(boss, q+"&lang="+tc.lang)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export lang=%s = %d\n%s", tc.lang, resp.StatusCode, body)
		}
		// A UTF-8 byte-order mark first, so Excel does not read the
		// Chinese as Big5.
		body, ok := strings.CutPrefix(body, "\ufeff")
		if !ok {
			t.Errorf("lang=%s: the sheet has no UTF-8 byte-order mark", tc.lang)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 5 {
			t.Fatalf("lang=%s: %d rows, %v, want header + 4 cases:\n%s", tc.lang, len(rows), err, body)
		}
		for i, c := range ledger.Columns {
			want := tr.T(tc.lang, "ledger_col_"+c, nil)
			if rows[0][i] != want || want == c {
				t.Errorf("lang=%s column %d = %q, want %q (the name of %s)", tc.lang, i, rows[0][i], want, c)
			}
		}
		if tc.caseCol != "" && (rows[0][col["case_id"]] != tc.caseCol || rows[0][col["customer"]] != tc.customerCol) {
			t.Errorf("zh-TW header %v, want 案件 and 顧客", rows[0])
		}
		if rows[4][col["case_id"]] != e.open.ID || rows[4][col["disposition"]] == "replacement" {
			t.Errorf("lang=%s last row %v: want %s with the disposition named, not its code", tc.lang, rows[4], e.open.ID)
		}
		// Topics by the name the dashboard gives them, not their ids.
		for i, r := range rows[1:] {
			id := machine[i+1][col["topic"]]
			if want := report.TopicName(tr, e.svc, tc.lang, id); id != "" && r[col["topic"]] != want {
				t.Errorf("lang=%s row %d topic %q, want %q (the name of %s)", tc.lang, i+1, r[col["topic"]], want, id)
			}
		}
	}
	for _, bad := range []string{"/api/ledger/export", "/api/ledger/export?from=2026-11-30&to=2026-11-01", q + "&format=xlsx", q + "&lang=fr"} {
		if resp, _ := get(boss, bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", bad, resp.StatusCode)
		}
	}
}

// TestLedgerExportInBrowser: the search page's export link, for the dates
// chosen, gives the ledger's CSV as a sheet in the page's language.
func TestLedgerExportInBrowser(t *testing.T) {
	t.Parallel()
	e := newHistoryEnv(t)
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(90*time.Second))
	b.SignIn(e.srv.URL, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	day := e.rated.CreatedAt.In(e.svc.Policy().Location).Format(time.DateOnly)
	b.Navigate(e.srv.URL + "/inbox/search?from=" + day + "&to=" + day)
	b.Wait("search page", `document.body.dataset.ready === '1' && document.querySelector('[data-testid=export-csv]').href.includes('from=`+day+`')`)
	b.Shot("inbox-search-export.png")
	b.Do(`(async () => { const r = await fetch(document.querySelector('[data-testid=export-csv]').href); window.__csv = r.status + '\n' + await r.text(); })()`)
	b.Wait("csv fetched", `typeof window.__csv === 'string'`)
	got := b.Eval(`window.__csv`)
	// The sheet in the page's language: its columns' names.
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	lang := b.Eval(`document.documentElement.lang`)
	names := make([]string, len(ledger.Columns))
	for i, c := range ledger.Columns {
		names[i] = tr.T(lang, "ledger_col_"+c, nil)
	}
	if !strings.HasPrefix(got, "200\n"+strings.Join(names, ",")+"\n") || !strings.Contains(got, e.rated.ID) || strings.Contains(got, e.l3.ID) {
		t.Errorf("export from the page (%s):\n%s\nwant the header %v and only %s", lang, got, names, e.rated.ID)
	}
}
