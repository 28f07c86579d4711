package inbox

import (
	"net/http"
	"net/url"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/report"
)

// The quality dashboard (package report), for leads: everything under
// /inbox/dashboard goes to report.Dashboard with the lead's language.
// Leads sign in or use a bearer token (WARMLINE_AGENT_TOKENS, for
// automation reading report.json or report.csv). Without either the pages
// send the browser to sign in and the rest answer 401; an agent who is not a lead gets 403. Mounted only when
// Config.Dashboard is set.
func (in *Inbox) dashboardRoutes(mux *http.ServeMux) {
	if in.reports == nil {
		return
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent, err := in.sessions.Authenticate(r) // a session, else a bearer token
		if err != nil {
			if r.URL.Path == report.Prefix || r.URL.Path == report.Prefix+"/print" {
				http.Redirect(w, r, "/inbox/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		lang := agent.Lang
		if !locales.IsSupported(lang) {
			lang = in.requestLang(r)
		}
		if !mayReadReports(agent) {
			http.Error(w, in.tr.T(lang, "inbox_dashboard_forbidden", nil), http.StatusForbidden)
			return
		}
		in.reports.Serve(w, r, lang)
	})
	mux.Handle("GET "+report.Prefix, h)
	mux.Handle("GET "+report.Prefix+"/", h)
}

// mayReadReports: who may open the quality dashboard.
func mayReadReports(a handoff.Agent) bool { return a.Role == handoff.RoleLead }
