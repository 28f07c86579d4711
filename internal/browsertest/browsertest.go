package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium is the browser the tests drive: Debian's package.
const Chromium = "/usr/bin/chromium"

// ArtifactsEnv names the folder screenshots go to when set; otherwise they
// go to the test's t.ArtifactDir() (kept with `go test -artifacts`).
const ArtifactsEnv = "WARMLINE_ARTIFACTS"

// How long the helpers wait.
const (
	// WaitTimeout bounds Wait, Click and the like.
	WaitTimeout = 20 * time.Second
	// stepTimeout bounds one Run or Eval.
	stepTimeout = 30 * time.Second
	// tryTimeout bounds one evaluation while waiting: the page watches the
	// condition for watchFor, then the evaluation answers.
	tryTimeout = 3 * time.Second
	watchFor   = 1500 * time.Millisecond
	// pollEvery is the pause before trying again after an evaluation
	// failed (the document was being replaced).
	pollEvery = 50 * time.Millisecond
	// checkEvery is how often the page checks a condition between DOM
	// changes (it checks at each change too).
	checkEvery = 100 * time.Millisecond
)

// Option changes how New starts the browser.
type Option func(*options)

type options struct {
	width, height int
	lifetime      time.Duration
}

// WindowSize sets the window's size (default 1280×900).
func WindowSize(width, height int) Option {
	return func(o *options) { o.width, o.height = width, height }
}

// Lifetime bounds how long the browser may run (default 8 minutes).
func Lifetime(d time.Duration) Option {
	return func(o *options) { o.lifetime = d }
}

// Tab is one browser tab under test. Its methods fail the test they were
// given (New's, or WithT's) on error.
type Tab struct {
	t   testing.TB
	ctx context.Context
	rec *recorder
	// width and height, when set, are the page's emulated viewport (a tab
	// of the shared browser); the tabs it opens get the same.
	width, height int64
}

// recorder keeps what the pages of one browser did that a test may want to
// rule out: JavaScript exceptions and dialogs (alert, confirm, prompt).
type recorder struct {
	mu         sync.Mutex
	exceptions []string
	dialogs    int
}

func (r *recorder) listen(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		r.mu.Lock()
		r.dialogs++
		r.mu.Unlock()
	case *runtime.EventExceptionThrown:
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		r.mu.Lock()
		r.exceptions = append(r.exceptions, msg)
		r.mu.Unlock()
	}
}

// New starts a fresh headless Chromium (its own profile folder) and returns
// its first tab. The browser stops when t ends. Without Chromium, or in
// -short mode, t is skipped.
func New(t testing.TB, opts ...Option) *Tab {
	t.Helper()
	skipWithoutChromium(t)
	o := newOptions(opts)
	ctx, cancel := context.WithTimeout(context.Background(), o.lifetime)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, allocatorOptions(t.TempDir(), o.width, o.height)...)
	rec := &recorder{}
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithListener(rec.listen))
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	// Start the browser and open the tab now, with a context that lives as
	// long as the tab: a first Run under a step timeout would close the
	// tab when that timeout ran out.
	if err := chromedp.Do(bctx, quiet()); err != nil {
		t.Fatalf("start %s: %v", Chromium, err)
	}
	return &Tab{t: t, ctx: bctx, rec: rec}
}

// RequireEnv names the variable that makes a missing Chromium fail a
// browser test rather than skip it (set to anything but "", "0" or
// "false"); CI, which CI services set to true, counts the same. `go test`
// without -v prints no skips, so on CI a skip would pass unnoticed.
const RequireEnv = "WARMLINE_REQUIRE_BROWSER"

// skipWithoutChromium skips t in -short mode and where Chromium is missing;
// it fails t instead where the browser is required (RequireEnv, CI).
func skipWithoutChromium(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if msg, fatal := missingChromium(Chromium, os.Getenv); fatal {
		t.Fatal(msg)
	} else if msg != "" {
		t.Skip(msg)
	}
}

// missingChromium says why a browser test cannot run when no browser is at
// path ("" when one is), and whether that fails the test (getenv says the
// browser is required) rather than skipping it.
func missingChromium(path string, getenv func(string) string) (msg string, fatal bool) {
	_, err := os.Stat(path)
	if err == nil {
		return "", false
	}
	for _, k := range []string{RequireEnv, "CI"} {
		switch v := strings.ToLower(strings.TrimSpace(getenv(k))); v {
		case "", "0", "false":
		default:
			return fmt.Sprintf("BROWSER TEST CANNOT RUN: %s is not installed (apt-get install chromium) and %s=%s requires it: %v", path, k, v, err), true
		}
	}
	return fmt.Sprintf("SKIPPING BROWSER TEST: %s is not installed (apt-get install chromium; set %s=1 to fail instead): %v", path, RequireEnv, err), false
}

func newOptions(opts []Option) options {
	o := options{width: 1280, height: 900, lifetime: 8 * time.Minute}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// allocatorOptions are the one set of Chromium flags every browser here
// starts with: headless without a GPU, and none of the work a test never
// sees (network calls of its own, component and extension updates, sync,
// crash reports, spelling and translation, audio, scroll bars).
func allocatorOptions(profile string, width, height int) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-component-extensions-with-background-pages", true), chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true), chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true), chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,SpellCheck"),
		chromedp.Flag("mute-audio", true), chromedp.Flag("hide-scrollbars", true), chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(profile), chromedp.WindowSize(width, height),
	}
}

// quiet turns off, on a tab chromedp just attached to, the DevTools
// domains it enables that no helper here reads: Network (an event per
// request, response, data chunk and event-stream message, and response
// bodies kept for the inspector) and CSS (every style sheet reported).
// Navigate waits on the page's lifecycle events, not the network's.
func quiet() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Disable, cdp.Empty{}); err != nil {
			return fmt.Errorf("network off: %w", err)
		}
		if _, err := cdp.Call(ctx, t, css.Disable, cdp.Empty{}); err != nil {
			return fmt.Errorf("css off: %w", err)
		}
		return nil
	})
}

// shared is the one Chromium of a test binary that Shared opens its tabs
// in, started on first use and stopped by Main (or with the binary: the
// kernel kills it when the test process ends).
var shared struct {
	mu   sync.Mutex
	ctx  context.Context // the browser's first tab
	err  error
	stop func()
}

// sharedBrowser returns the shared browser's context, starting it the
// first time.
func sharedBrowser() (context.Context, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx != nil || shared.err != nil {
		return shared.ctx, shared.err
	}
	profile, err := os.MkdirTemp("", "warmline-chromium-")
	if err != nil {
		shared.err = fmt.Errorf("profile folder: %w", err)
		return nil, shared.err
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(profile, 1440, 1200)...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		_ = os.RemoveAll(profile)
		shared.err = fmt.Errorf("start %s: %w", Chromium, err)
		return nil, shared.err
	}
	shared.ctx = bctx
	shared.stop = func() { cancelBrowser(); cancelAlloc(); _ = os.RemoveAll(profile) }
	return shared.ctx, nil
}

// Shared opens a tab in the test binary's one Chromium (started on first
// use; tests running at once share it), in a browser context of its own:
// its own cookies and storage, as New's fresh profile has. The window size
// is emulated on the tab (the page sees that viewport, media queries
// included); Lifetime bounds the tab. The tab closes when t ends. A
// package that uses it stops the browser after its tests with Main.
// Without Chromium, or in -short mode, t is skipped.
func Shared(t testing.TB, opts ...Option) *Tab {
	t.Helper()
	skipWithoutChromium(t)
	o := newOptions(opts)
	bctx, err := sharedBrowser()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, o.lifetime)
	rec := &recorder{}
	tctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(rec.listen))
	t.Cleanup(func() { cancelTab(); cancel() })
	b := &Tab{t: t, ctx: tctx, rec: rec, width: int64(o.width), height: int64(o.height)}
	if err := chromedp.Do(tctx, quiet(), chromedp.EmulateViewport(b.width, b.height)); err != nil {
		t.Fatalf("open a tab in the shared %s: %v", Chromium, err)
	}
	return b
}

// Main runs m's tests, then stops the shared browser, for a TestMain:
//
//	func TestMain(m *testing.M) { leaktest.Main(browsertest.Main(m)) }
//
// (goleak then sees none of the browser's goroutines).
func Main(m interface{ Run() int }) interface{ Run() int } { return mainRunner{m} }

type mainRunner struct{ m interface{ Run() int } }

func (r mainRunner) Run() int {
	code := r.m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.stop != nil {
		shared.stop()
		shared.ctx, shared.stop = nil, nil
	}
	return code
}

// NewTab opens another tab of the same browser profile (same cookies); it
// closes when the test it was opened for ends.
func (b *Tab) NewTab() *Tab {
	b.t.Helper()
	return b.open("open a tab", chromedp.WithListener(b.rec.listen))
}

// NewProfile opens a tab in a new browser context: its own cookies and
// storage, as another person at another computer.
func (b *Tab) NewProfile() *Tab {
	b.t.Helper()
	return b.open("open a profile", chromedp.WithNewBrowserContext(), chromedp.WithListener(b.rec.listen))
}

func (b *Tab) open(what string, opts ...chromedp.ContextOption) *Tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, opts...)
	b.t.Cleanup(cancel)
	first := []chromedp.Action[chromedp.Void]{quiet()}
	if b.width > 0 {
		first = append(first, chromedp.EmulateViewport(b.width, b.height))
	}
	if err := chromedp.Do(ctx, first...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return &Tab{t: b.t, ctx: ctx, rec: b.rec, width: b.width, height: b.height}
}

// WithT returns the same tab reporting to t (a subtest).
func (b *Tab) WithT(t testing.TB) *Tab {
	return &Tab{t: t, ctx: b.ctx, rec: b.rec, width: b.width, height: b.height}
}

// Context is the tab's chromedp context, for actions this package lacks.
func (b *Tab) Context() context.Context { return b.ctx }

// Run runs chromedp actions (within 30 s); what names them in a failure.
func (b *Tab) Run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// Navigate loads url and waits until its document has loaded.
func (b *Tab) Navigate(url string) {
	b.t.Helper()
	b.Run("navigate to "+url, chromedp.Navigate(url))
}

// Eval evaluates a JavaScript expression that gives a string.
func (b *Tab) Eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return s
}

// Do evaluates a JavaScript statement for its effect, in one evaluation.
func (b *Tab) Do(js string) {
	b.t.Helper()
	b.Eval(`(() => { ` + js + `; return ''; })()`)
}

// Wait evaluates expr until it is true (WaitTimeout). Each try is a fresh
// evaluation in the page's current document, so a navigation under way
// (the old document gone, the new one not ready) only means another try;
// the last error is reported when time runs out, with a screenshot.
func (b *Tab) Wait(what, expr string) {
	b.t.Helper()
	if err := b.poll(expr); err != nil {
		b.fail("waiting for "+what, expr, err)
	}
}

// WaitPage waits until the tab shows path and that page has finished
// starting: its document loaded and, where the page boots itself, the
// booting mark gone from <body>. Use it after anything that navigates.
func (b *Tab) WaitPage(path string) {
	b.t.Helper()
	b.Wait("page "+path, `location.pathname === `+Quote(path)+
		` && document.readyState === 'complete' && !!document.body && !document.body.classList.contains('booting')`)
}

// Click finds the first element matching the CSS selector and clicks it,
// in one evaluation; it waits until such an element exists, is shown and
// is not disabled.
func (b *Tab) Click(selector string) {
	b.t.Helper()
	expr := `(() => { const el = document.querySelector(` + Quote(selector) + `); return ` + clickJS + `; })()`
	if err := b.poll(expr); err != nil {
		b.fail("click "+selector, expr, err)
	}
}

// ClickText clicks the first element matching the CSS selector whose text
// (trimmed) is text, in one evaluation, waiting as Click does.
func (b *Tab) ClickText(selector, text string) {
	b.t.Helper()
	expr := `(() => { const el = [...document.querySelectorAll(` + Quote(selector) + `)].find((x) => x.textContent.trim() === ` +
		Quote(text) + `); return ` + clickJS + `; })()`
	if err := b.poll(expr); err != nil {
		b.fail(fmt.Sprintf("click %s %q", selector, text), expr, err)
	}
}

// clickJS clicks el when it is there, shown and enabled, and says whether
// it did.
const clickJS = `!!el && el.isConnected && !el.disabled && el.getClientRects().length > 0 && (el.scrollIntoView({ block: 'center' }), el.click(), true)`

// Select sets a <select> (or input) to value and fires its change event,
// in one evaluation, once the element is there.
func (b *Tab) Select(selector, value string) {
	b.t.Helper()
	expr := `(() => { const el = document.querySelector(` + Quote(selector) + `); if (!el || el.disabled) return false; el.value = ` +
		Quote(value) + `; el.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`
	if err := b.poll(expr); err != nil {
		b.fail("select "+value+" in "+selector, expr, err)
	}
}

// Type sends keystrokes to the element matching the CSS selector (for
// fields the page does not re-render).
func (b *Tab) Type(selector, text string) {
	b.t.Helper()
	b.Run("type into "+selector, chromedp.SendKeys(chromedp.CSS(selector), text))
}

// poll waits until expr is true. The page itself watches it (watchJS): at
// each DOM change and every checkEvery, for watchFor, and the evaluation
// answers as soon as it holds; so a wait costs the browser one evaluation
// per watchFor, not one per poll. An evaluation that fails (the document
// was replaced under it: a navigation) is tried again in the new one.
func (b *Tab) poll(expr string) error {
	deadline := time.Now().Add(WaitTimeout)
	last := errors.New("never true")
	js := watchJS(expr)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, tryTimeout)
		res, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		cancel()
		switch {
		case err == nil && res == "":
			return nil
		case err != nil:
			last = err
		default:
			last = errors.New(res)
		}
		if b.ctx.Err() != nil {
			return fmt.Errorf("%w (browser gone: %v)", last, b.ctx.Err())
		}
		if time.Now().After(deadline) {
			return last
		}
		if err != nil {
			time.Sleep(pollEvery)
		}
	}
}

// watchJS is an expression whose promise resolves "" as soon as expr is
// true (checked now, at each DOM change and every checkEvery), else, after
// watchFor, "still false" or the last exception expr threw. expr is
// evaluated once more only while false, so one with an effect when true
// (Click's) has it once.
func watchJS(expr string) string {
	return `new Promise((resolve) => {
  let last = 'still false', done = false, obs = null, every = 0, stop = 0;
  const test = () => {
    if (done) return;
    let ok = false;
    try { ok = !!(` + expr + `); } catch (e) { last = String(e && e.message || e); }
    if (!ok) return;
    finish('');
  };
  const finish = (v) => {
    done = true;
    if (obs) obs.disconnect();
    clearInterval(every);
    clearTimeout(stop);
    resolve(v);
  };
  test();
  if (done) return;
  obs = new MutationObserver(test);
  obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  every = setInterval(test, ` + fmt.Sprint(checkEvery.Milliseconds()) + `);
  stop = setTimeout(() => finish(last), ` + fmt.Sprint(watchFor.Milliseconds()) + `);
})`
}

func (b *Tab) fail(what, expr string, err error) {
	b.t.Helper()
	b.shoot("failed-" + fileName(what) + ".png")
	b.t.Fatalf("%s (%s): %v", what, expr, err)
}

// Shot saves a full-page screenshot named name in the artifacts folder:
// $WARMLINE_ARTIFACTS when set, else the test's ArtifactDir when the
// artifacts are kept (`go test -artifacts`). Otherwise it takes none: the
// test's ArtifactDir would be a temporary folder removed when the test
// ends, and a full-page PNG, sent as base64 JSON and decoded under -race,
// costs the machine a large part of a second for nothing. A screenshot is
// for people; no test asserts on it (a failed Wait still shoots, see fail).
func (b *Tab) Shot(name string) {
	b.t.Helper()
	if !KeepArtifacts() {
		return
	}
	b.shoot(name)
}

// KeepArtifacts reports whether screenshots are kept: $WARMLINE_ARTIFACTS
// names a folder, or go test was given -artifacts.
func KeepArtifacts() bool {
	if os.Getenv(ArtifactsEnv) != "" {
		return true
	}
	f := flag.Lookup("test.artifacts")
	return f != nil && f.Value.String() == "true"
}

// shoot takes the screenshot Shot describes, whether or not it is kept.
func (b *Tab) shoot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(ArtifactDir(b.t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.t.Logf("screenshot: %s", p)
}

// ArtifactDir is where t's screenshots go: $WARMLINE_ARTIFACTS when set
// (created if need be), else t.ArtifactDir().
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(ArtifactsEnv)
	if dir == "" {
		return t.ArtifactDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts folder: %v", err)
	}
	return dir
}

// Exceptions lists the JavaScript exceptions thrown so far in any tab of
// the browser.
func (b *Tab) Exceptions() []string {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	return append([]string(nil), b.rec.exceptions...)
}

// Dialogs counts the JavaScript dialogs opened so far in any tab.
func (b *Tab) Dialogs() int {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	return b.rec.dialogs
}

// Quote is s as a JavaScript string literal.
func Quote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, s)
}
