package inbox

import (
	"fmt"
	"html/template"
	"net/http"

	"golang.org/x/text/language"

	"github.com/warmline/warmline/locales"
)

// pageSpec is one HTML page: its body template in ui/ (inside the shared
// ui/layout.html), its script and the classes of its <body>.
type pageSpec struct {
	file, script, bodyClass string
}

var (
	loginPage = pageSpec{file: "login.html", script: "login.js", bodyClass: "booting login-page"}
	queuePage = pageSpec{file: "queue.html", script: "queue.js", bodyClass: "booting"}
	casePage  = pageSpec{file: "case.html", script: "case.js", bodyClass: "booting"}
	gapsPage  = pageSpec{file: "gaps.html", script: "gaps.js", bodyClass: "booting"}
	// failuresPage lists failed sends and dead-lettered events (leads).
	failuresPage = pageSpec{file: "failures.html", script: "failures.js", bodyClass: "booting"}
	// alertsPage lists the alerts fired (leads).
	alertsPage = pageSpec{file: "alerts.html", script: "alerts.js", bodyClass: "booting"}
	// searchPage finds closed cases in the ledger (leads).
	searchPage = pageSpec{file: "search.html", script: "search.js", bodyClass: "booting"}
)

// pageData is what the layout is rendered with.
type pageData struct {
	Lang      string // <html lang>: the agent's language, else the request's
	Script    string
	BodyClass string
	GapsLink  bool // the agent may open the Knowledge gaps page (a lead, when it is served)
	// FailuresLink: the agent may open the Failed sends page (a lead, when it is served).
	FailuresLink bool
	// DashboardLink: the agent may open the quality dashboard (a lead, when it is served).
	DashboardLink bool
	// AlertsLink: the agent may open the Alerts page (a lead, when it is served).
	AlertsLink bool
	// SearchLink: the agent may open closed-case search (a lead, when it is served).
	SearchLink bool
	// History: the case view shows the customer's earlier cases.
	History bool
}

// parsePages parses each page with the layout, once at start.
func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, p := range []pageSpec{loginPage, queuePage, casePage, gapsPage, failuresPage, alertsPage, searchPage} {
		t, err := template.ParseFS(uiFiles, "ui/layout.html", "ui/"+p.file)
		if err != nil {
			return nil, fmt.Errorf("inbox: parse page %s: %w", p.file, err)
		}
		out[p.file] = t
	}
	return out, nil
}

// requestLang is the language a request without a session asks for: ?lang=
// when supported, else the first Accept-Language entry warmline speaks,
// else the inbox's default.
func (in *Inbox) requestLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); locales.IsSupported(l) {
		return l
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	for _, tag := range tags {
		if l := locales.Normalize(tag.String()); l != "" {
			return l
		}
	}
	return in.lang
}
