package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestMain stops the shared browser after the tests.
func TestMain(m *testing.M) { os.Exit(Main(m).Run()) }

// page re-renders its buttons every few milliseconds, the way a live page
// does; "go" navigates to /next after a pause.
const livePage = `<!doctype html><html><body class="booting"><div id="box"></div><p id="out"></p>
<select id="pick"><option value="a">a</option><option value="b">b</option></select>
<script>
const box = document.getElementById('box');
function render() {
  const b1 = document.createElement('button'); b1.className = 'act'; b1.textContent = 'one';
  b1.onclick = () => { document.getElementById('out').textContent += '1'; };
  const b2 = document.createElement('button'); b2.className = 'act'; b2.textContent = 'two';
  b2.onclick = () => { document.getElementById('out').textContent += '2'; };
  const b3 = document.createElement('button'); b3.id = 'go'; b3.textContent = 'go';
  b3.onclick = () => setTimeout(() => { location.href = '/next'; }, 30);
  box.replaceChildren(b1, b2, b3);
}
render(); setInterval(render, 3);
document.getElementById('pick').onchange = (e) => { document.getElementById('out').textContent += e.target.value; };
document.body.classList.remove('booting');
</script></body></html>`

const nextPage = `<!doctype html><html><body class="booting"><h1>next</h1>
<script>setTimeout(() => document.body.classList.remove('booting'), 50);</script></body></html>`

func TestTab(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(livePage)) })
	mux.HandleFunc("GET /next", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(nextPage)) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := New(t)
	b.Navigate(srv.URL + "/")
	b.WaitPage("/")
	for range 20 {
		b.Click(".act")
		b.ClickText(".act", "two")
	}
	b.Select("#pick", "b")
	b.Wait("forty clicks and the pick", `document.getElementById('out').textContent === '12'.repeat(20) + 'b'`)
	// The page watches a condition itself (watchJS): a navigation under
	// way ends the watch in the old document and the next try finds the
	// new one at once, not after the try's timeout.
	start := time.Now()
	b.Click("#go")
	b.WaitPage("/next")
	if d := time.Since(start); d > tryTimeout/2 {
		t.Errorf("waiting across a navigation took %v, want well under the try's %v", d, tryTimeout)
	}
	if got := b.Eval(`document.querySelector('h1').textContent`); got != "next" {
		t.Errorf("got heading %q, want next", got)
	}
	if ex := b.Exceptions(); len(ex) > 0 || b.Dialogs() > 0 {
		t.Errorf("got exceptions %q and %d dialogs, want none", ex, b.Dialogs())
	}

	if !KeepArtifacts() {
		// Nowhere to keep it: no screenshot is taken.
		b.Shot("dropped.png")
		if _, err := os.Stat(filepath.Join(ArtifactDir(t), "dropped.png")); !os.IsNotExist(err) {
			t.Errorf("screenshot without -artifacts or %s: %v, want none taken", ArtifactsEnv, err)
		}
	}
	t.Setenv(ArtifactsEnv, t.TempDir())
	b.Shot("next.png")
	if st, err := os.Stat(filepath.Join(os.Getenv(ArtifactsEnv), "next.png")); err != nil || st.Size() == 0 {
		t.Errorf("screenshot: %v", err)
	}
}

// TestShared: two tabs of the shared browser run at once, each with its
// own viewport and its own cookies; a tab it opens keeps the viewport.
func TestShared(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("who"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "who", Value: r.URL.Query().Get("who")})
		}
		w.Write([]byte(`<!doctype html><html><body><p id="w"></p><script>document.getElementById('w').textContent = innerWidth;</script></body></html>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		who   string
		width int
	}{{"phone", 390}, {"desk", 1280}} {
		t.Run(tt.who, func(t *testing.T) {
			t.Parallel()
			b := Shared(t, WindowSize(tt.width, 800))
			b.Navigate(srv.URL + "/?who=" + tt.who)
			b.Navigate(srv.URL + "/")
			if got, want := b.Eval(`document.getElementById('w').textContent + ' ' + document.cookie`), fmt.Sprintf("%d who=%s", tt.width, tt.who); got != want {
				t.Errorf("got %q, want %q (the viewport and this tab's own cookie)", got, want)
			}
			tab := b.NewTab()
			tab.Navigate(srv.URL + "/")
			if got, want := tab.Eval(`document.getElementById('w').textContent + ' ' + document.cookie`), fmt.Sprintf("%d who=%s", tt.width, tt.who); got != want {
				t.Errorf("another tab: got %q, want %q (same viewport, same profile)", got, want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	if got, want := Quote("it's \"x\" `y` ${z}\n"), `"it's \"x\" `+"`y`"+` ${z}\n"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestWaitWatchesInThePage: a condition that becomes true later is seen at
// the change (the page's own watch), within one evaluation when it holds
// before watchFor; one that never does fails with the exception it threw.
func TestWaitWatchesInThePage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><html><body><p id="p"></p><script>
setTimeout(() => { document.getElementById('p').textContent = 'late'; }, 400);
</script></body></html>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b := Shared(t)
	b.Navigate(srv.URL + "/")
	start := time.Now()
	b.Wait("the late text", `document.getElementById('p').textContent === 'late'`)
	if d := time.Since(start); d > watchFor {
		t.Errorf("the change after 400 ms was seen after %v, want within one watch (%v)", d, watchFor)
	}
	js := watchJS(`document.querySelector('#missing').textContent === 'x'`)
	res, err := chromedp.Run(b.Context(), chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil || !strings.Contains(res, "null") {
		t.Errorf("a condition that throws: %q %v, want the exception's message after the watch", res, err)
	}
}
