package inbox

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/ledger"
)

func TestParseDispositions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want string
		err  bool
	}{
		{"", strings.Join(DefaultDispositions, ","), false},
		{" refund , exchange_ok ", "refund,exchange_ok", false},
		{"Refund", "", true},
		{"refund,refund", "", true},
		{"a,,b", "", true},
	} {
		got, err := ParseDispositions(tt.in)
		if (err != nil) != tt.err || strings.Join(got, ",") != tt.want {
			t.Errorf("ParseDispositions(%q) = %v, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestResolveWithDisposition: the list comes labelled in the asked
// language; a resolve carries one of its codes onto the case and, through
// the archive stream, into the ledger; a code not on the list is 400 and
// resolves nothing.
func TestResolveWithDisposition(t *testing.T) {
	t.Parallel()
	e := newHistoryEnv(t)
	boss := e.signedIn(t, "boss")
	code, out := boss.call(t, "GET", "/api/dispositions?lang=en", "")
	list, _ := out["dispositions"].([]any)
	if code != http.StatusOK || len(list) != len(DefaultDispositions) || dig(list[1], "code") != "refund" || dig(list[1], "label") != "Refund issued" {
		t.Fatalf("GET /api/dispositions = %d %v", code, out)
	}
	if code, _ := boss.call(t, "POST", "/api/cases/"+e.open.ID+"/claim", ""); code != http.StatusOK {
		t.Fatalf("claim = %d", code)
	}
	if code, out := boss.call(t, "POST", "/api/cases/"+e.open.ID+"/resolve", `{"disposition":"made_up"}`); code != http.StatusBadRequest {
		t.Errorf("resolve with an unknown code = %d %v, want 400", code, out)
	}
	code, out = boss.call(t, "POST", "/api/cases/"+e.open.ID+"/resolve", `{"note":"退款完成","disposition":"refund"}`)
	if code != http.StatusOK || dig(out, "case", "disposition") != "refund" || dig(out, "case", "status") != "resolved" {
		t.Fatalf("resolve = %d %v", code, out)
	}
	ctx := context.Background()
	arch, err := ledger.NewArchiver(ledger.ArchiverConfig{Redis: e.rdb, Stream: e.svc.ArchiveStream(), Store: e.store, Consumer: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := arch.Step(ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := e.store.Search(ctx, ledger.Query{CaseID: e.open.ID})
	if err != nil || len(recs) != 1 || recs[0].Disposition != "refund" {
		t.Errorf("ledger = %+v, %v; want the case with disposition refund", recs, err)
	}
}

// TestDispositionInBrowser: the lead resolves a case choosing a
// disposition; the closed case says it in the UI's language.
func TestDispositionInBrowser(t *testing.T) {
	t.Parallel()
	e := newHistoryEnv(t)
	base := e.srv.URL
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 1000), browsertest.Lifetime(90*time.Second))
	b.SignIn(base, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Navigate(base + "/inbox/cases/" + e.open.ID)
	b.Wait("case page", `document.querySelectorAll('#resolve-disposition option').length === 10 && !document.querySelector('[data-testid=claim-button]').hidden`)
	b.Click(`[data-testid=claim-button]`)
	b.Wait("claimed", `document.querySelector('[data-testid=owner]').textContent !== '' && !document.querySelector('[data-testid=resolve-disposition]').disabled`)
	b.Do(`(() => { const s = document.querySelector('[data-testid=resolve-disposition]'); s.value = 'delivery_chased'; s.dispatchEvent(new Event('change')); })()`)
	b.Shot("inbox-case-disposition.png")
	b.Click(`[data-testid=resolve-button]`)
	b.Wait("closed with the disposition", `!document.querySelector('[data-testid=closed-banner]').hidden && document.querySelector('[data-testid=closed-banner]').textContent.includes('已催促物流')`)
	if c, err := e.svc.Get(context.Background(), mustAgent(t, e.uiEnv, "boss"), e.open.ID); err != nil || c.Disposition != "delivery_chased" {
		t.Errorf("case = %+v, %v; want disposition delivery_chased", c, err)
	}
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
