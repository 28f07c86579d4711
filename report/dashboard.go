package report

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

//go:embed ui
var uiFiles embed.FS

// Prefix is where the dashboard is mounted; the inbox routes everything
// under it to Dashboard.Serve for leads.
const Prefix = "/inbox/dashboard"

// DashboardConfig configures a Dashboard. Source and Translator are
// required.
type DashboardConfig struct {
	Source     Source
	Translator *locales.Translator
	Targets    *Targets         // nil: DefaultTargets
	Location   *time.Location   // where days and weeks start; nil: UTC
	Clock      func() time.Time // nil: time.Now
	Log        *zap.Logger      // nil: no logs
	// Titles is optional: with it, topics are shown by their KB entry's
	// title in the reader's language (the CSV keeps the ids).
	Titles Titles
	// Live is optional: with it, a period that has not ended shows the
	// conversations in progress, not counted yet.
	Live Live
	// Open is optional: with it, the figures say how many open cases they
	// do not count yet (a case is counted when it closes).
	Open OpenCases
	// Policy is the SLA policy whose times the SLA figures measure; nil:
	// handoff.DefaultPolicy().
	Policy *handoff.Policy
}

// Dashboard serves the lead's quality dashboard:
//
//	GET /inbox/dashboard              the page (period picker, filters, figures, charts)
//	GET /inbox/dashboard/print        the printable weekly or monthly report
//	GET /inbox/dashboard/report.json  the figures (Report) and the selection
//	GET /inbox/dashboard/report.csv   the figures as CSV
//	GET /inbox/dashboard/static/...   script, styles, vendor/ (Chart.js)
//
// every one with the query ParseQuery reads.
type Dashboard struct {
	src     Source
	tr      *locales.Translator
	titles  Titles
	liveSrc Live
	openSrc OpenCases
	sla     map[string]SLATarget
	targets Targets
	loc     *time.Location
	now     func() time.Time
	log     *zap.Logger
	pages   *template.Template
	mux     *http.ServeMux

	// lastMu guards the conversations in progress read last, shown (with
	// its time) when a read fails or times out.
	lastMu     sync.Mutex
	lastLive   *InProgress
	lastLiveAt time.Time
}

// NewDashboard builds the dashboard.
func NewDashboard(cfg DashboardConfig) (*Dashboard, error) {
	var errs []error
	if cfg.Source == nil {
		errs = append(errs, errors.New("report: DashboardConfig.Source is required"))
	}
	if cfg.Translator == nil {
		errs = append(errs, errors.New("report: DashboardConfig.Translator is required"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d := &Dashboard{src: cfg.Source, tr: cfg.Translator, titles: cfg.Titles, liveSrc: cfg.Live, openSrc: cfg.Open, targets: DefaultTargets(), loc: cfg.Location, now: cfg.Clock, log: cfg.Log}
	if cfg.Targets != nil {
		d.targets = *cfg.Targets
	}
	policy := cfg.Policy
	if policy == nil {
		policy = handoff.DefaultPolicy()
	}
	d.sla = slaTargets(policy)
	if d.loc == nil {
		d.loc = time.UTC
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = zap.NewNop()
	}
	pages, err := template.New("").Funcs(templateFuncs(d.tr, d.titles, locales.ZhTW)).ParseFS(uiFiles, "ui/*.html")
	if err != nil {
		return nil, fmt.Errorf("report: parse pages: %w", err)
	}
	d.pages = pages
	static, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		return nil, err
	}
	files := http.StripPrefix(Prefix+"/static/", http.FileServerFS(static))
	d.mux = http.NewServeMux()
	d.mux.HandleFunc("GET "+Prefix, d.page("dashboard.html"))
	d.mux.HandleFunc("GET "+Prefix+"/print", d.page("print.html"))
	d.mux.HandleFunc("GET "+Prefix+"/report.json", d.json)
	d.mux.HandleFunc("GET "+Prefix+"/report.csv", d.csv)
	d.mux.Handle("GET "+Prefix+"/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".html") || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
	return d, nil
}

// Serve answers one request under Prefix for a signed-in lead whose UI
// language is lang (the inbox checks who may see it).
func (d *Dashboard) Serve(w http.ResponseWriter, r *http.Request, lang string) {
	if !locales.IsSupported(lang) {
		lang = locales.ZhTW
	}
	d.mux.ServeHTTP(w, r.WithContext(withLang(r.Context(), lang)))
}

// compute reads the selection from r and computes its report.
func (d *Dashboard) compute(r *http.Request) (Selection, Report, error) {
	sel, err := ParseQuery(r.URL.Query(), d.now(), d.loc)
	if err != nil {
		return Selection{}, Report{}, err
	}
	rep, err := Compute(r.Context(), d.src, sel.Period, sel.Filter, d.targets)
	return sel, rep, err
}

func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrBadQuery) {
		http.Error(w, d.tr.T(langOf(r.Context()), "inbox_dashboard_bad_query", nil), http.StatusBadRequest)
		return
	}
	d.log.Error("dashboard report", zap.Error(err))
	http.Error(w, d.tr.T(langOf(r.Context()), "inbox_dashboard_error", nil), http.StatusInternalServerError)
}

// pageData is what the page templates are rendered with.
type pageData struct {
	Lang       string
	Sel        Selection
	Report     Report
	CSVURL     string
	PrintURL   string
	PageURL    string
	PeriodKind []string
	Tiers      []string
	Priorities []string
	Langs      []string
	Generated  time.Time
	Live       *InProgress // nil: not shown
	// LiveStale: the read of the conversations in progress failed; Live
	// is the one read at LiveAt. LiveFailed: it failed with none to show.
	LiveStale  bool
	LiveAt     time.Time
	LiveFailed bool
	Open       *OpenFigures // nil: not known
	OpenFailed bool
	SLA        map[string]SLATarget
}

func (d *Dashboard) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sel, rep, err := d.compute(r)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		lang := langOf(r.Context())
		t, err := d.pages.Clone()
		if err != nil {
			d.fail(w, r, err)
			return
		}
		var buf bytes.Buffer
		q := "?" + sel.Query().Encode()
		data := pageData{CSVURL: Prefix + "/report.csv" + q, PrintURL: Prefix + "/print" + q, PageURL: Prefix + q, Lang: lang, Sel: sel, Report: rep, PeriodKind: PeriodKinds,
			Tiers: Tiers, Priorities: Priorities, Langs: locales.Supported, Generated: d.now().In(d.loc), SLA: d.sla}
		lv := d.live(r.Context(), rep)
		data.Live, data.LiveStale, data.LiveAt, data.LiveFailed = lv.IP, lv.Stale, lv.At, lv.Failed
		data.Open, data.OpenFailed = d.open(r.Context(), rep)
		if err := t.Funcs(templateFuncs(d.tr, d.titles, lang)).ExecuteTemplate(&buf, name, data); err != nil {
			d.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	}
}

func (d *Dashboard) json(w http.ResponseWriter, r *http.Request) {
	sel, rep, err := d.compute(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	out := map[string]any{"selection": sel, "report": rep, "sla_targets": d.sla}
	if lv := d.live(r.Context(), rep); lv.IP != nil {
		out["in_progress"] = lv.IP
		if lv.Stale {
			out["in_progress_as_of"] = lv.At
		}
	}
	if of, _ := d.open(r.Context(), rep); of != nil {
		out["open_cases"] = of
	}
	writeJSON(w, out)
}

// csv writes the figures, one per row: section, item, value, count,
// total, target, state, id; headers and names in the lead's language, as
// the page names them (a topic by its title, TopicName), the topic id (and
// "topic|trigger" for a reason) in the last column for scripts. A figure
// the page shows as "no data" has an empty value, not 0.0%.
func (d *Dashboard) csv(w http.ResponseWriter, r *http.Request) {
	sel, rep, err := d.compute(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	lang := langOf(r.Context())
	T := func(id string) string { return d.tr.T(lang, id, nil) }
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	row := func(cells ...string) {
		for len(cells) < 8 {
			cells = append(cells, "")
		}
		_ = cw.Write(defuse(cells))
	}
	row(T("inbox_dashboard_csv_section"), T("inbox_dashboard_csv_item"), T("inbox_dashboard_csv_value"),
		T("inbox_dashboard_csv_count"), T("inbox_dashboard_csv_total"), T("inbox_dashboard_csv_target"), T("inbox_dashboard_csv_state"),
		T("inbox_dashboard_csv_id"))
	value := func(c Ratio) string {
		if c.Total == 0 {
			return ""
		}
		return pct(c.Value)
	}
	dur := func(n int, v time.Duration) string {
		if n == 0 {
			return ""
		}
		return hm(n, v)
	}
	ratioRow := func(section, item string, c Check) {
		row(section, item, value(c.Ratio), strconv.Itoa(c.Count), strconv.Itoa(c.Total), targetText(c.Target, true), T("inbox_dashboard_state_"+string(look(c.State, c.Sample))))
	}
	row(T("inbox_dashboard_period"), sel.FromDate+" – "+sel.ToDate)
	row(T("inbox_dashboard_conversations"), "", strconv.Itoa(rep.Conversations))
	row(T("inbox_dashboard_cases"), "", strconv.Itoa(rep.Cases))
	ratioRow(T("inbox_dashboard_fcr"), "", rep.FirstContactResolution)
	ratioRow(T("inbox_dashboard_escalation"), "", rep.Escalation)
	for _, ts := range rep.TierShares {
		ratioRow(T("inbox_dashboard_tier_share"), ts.Tier, ts.Check)
	}
	// The open cases the figures do not count yet, as the page says them:
	// by tier (open now) and by priority (opened in the period).
	of, _ := d.open(r.Context(), rep)
	openCell := func(n OpenCount) string {
		return d.tr.T(lang, "inbox_dashboard_open_cell", map[string]any{"N": n.Open, "Overdue": n.Overdue})
	}
	if of != nil && of.Now {
		for _, ts := range rep.TierShares {
			if ts.Tier != "L1" {
				row(T("inbox_dashboard_open_col"), ts.Tier, strconv.Itoa(of.ByTier[ts.Tier]))
			}
		}
	}
	for _, pt := range rep.Times {
		row(T("inbox_dashboard_first_response_median"), pt.Priority, dur(pt.FirstResponse.N, pt.FirstResponse.Median), strconv.Itoa(pt.FirstResponse.N))
		row(T("inbox_dashboard_first_response_p90"), pt.Priority, dur(pt.FirstResponse.N, pt.FirstResponse.P90), strconv.Itoa(pt.FirstResponse.N))
		row(T("inbox_dashboard_resolution_median"), pt.Priority, dur(pt.Resolution.N, pt.Resolution.Median), strconv.Itoa(pt.Resolution.N))
		row(T("inbox_dashboard_resolution_p90"), pt.Priority, dur(pt.Resolution.N, pt.Resolution.P90), strconv.Itoa(pt.Resolution.N))
		sla := pt.SLA
		row(T("inbox_dashboard_sla"), pt.Priority, value(sla.Ratio), strconv.Itoa(sla.Count), strconv.Itoa(sla.Total),
			targetText(sla.Target, true)+" · "+slaTargetText(d.tr, lang, d.sla[pt.Priority]), T("inbox_dashboard_state_"+string(look(sla.State, sla.Sample))))
		if of != nil {
			n := of.ByPriority[pt.Priority]
			row(T("inbox_dashboard_open_col"), pt.Priority, strconv.Itoa(n.Open), "", "", "", openCell(n))
		}
	}
	ratioRow(T("inbox_dashboard_sla"), T("inbox_dashboard_all_priorities"), rep.SLA)
	// The cases SLA leaves out, one row per reason: the count and why.
	for _, x := range rep.SLAExcluded {
		row(T("inbox_dashboard_sla"), excludedText(d.tr, lang, x), "", strconv.Itoa(x.Cases), "", "", "", string(x.Reason))
	}
	csat := ""
	if rep.CSAT.Rated > 0 {
		csat = fmt.Sprintf("%.2f", rep.CSAT.Average)
	}
	// CSAT: the ratings of the resolved cases asked.
	row(T("inbox_dashboard_csat"), "", csat, strconv.Itoa(rep.CSAT.Rated), strconv.Itoa(rep.CSAT.Asked),
		targetText(rep.CSAT.Target, false), T("inbox_dashboard_state_"+string(look(rep.CSAT.State, rep.CSAT.Sample))))
	for i, n := range rep.CSAT.Distribution {
		row(T("inbox_dashboard_csat_distribution"), strconv.Itoa(i+1), strconv.Itoa(n))
	}
	for _, lr := range rep.CSAT.Low {
		row(T("inbox_dashboard_low_ratings"), lr.CaseID, strconv.Itoa(lr.Score))
	}
	for _, rs := range rep.TopReasons {
		id := rs.Topic
		if rs.Trigger != "" {
			id += "|" + rs.Trigger
		}
		row(T("inbox_dashboard_reasons"), reasonText(d.tr, d.titles, lang, rs.Topic, rs.Trigger), value(rs.Volume), strconv.Itoa(rs.Volume.Count),
			strconv.Itoa(rs.Volume.Total), "", T("inbox_dashboard_settled_l1")+" "+value(rs.SettledL1), id)
	}
	row(T("inbox_dashboard_repeat"), "", value(rep.Repeat), strconv.Itoa(rep.Repeat.Count), strconv.Itoa(rep.Repeat.Total))
	for _, rt := range rep.RepeatTopics {
		row(T("inbox_dashboard_repeat_topics"), topicText(d.tr, d.titles, lang, rt.Topic), strconv.Itoa(rt.Repeats), "", "", "", "", rt.Topic)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="warmline-report-%s-%s.csv"`, sel.FromDate, sel.ToDate))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("\ufeff")) // a BOM: spreadsheet programs then read UTF-8
	_, _ = w.Write(buf.Bytes())
}

// defuse keeps a spreadsheet from reading a cell as a formula.
func defuse(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
