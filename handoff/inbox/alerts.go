package inbox

import (
	"context"
	"net/http"
	"time"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// The Alerts page and its API, for leads (agents get 403): every alert the
// Alerter fired (notified parties, P1 cases, SLA warnings and breaches),
// newest first, with its text in the lead's language and the link to the
// case; the same alerts the operator's webhooks get, whether or not any
// are configured.
//
//	GET /inbox/alerts    the page
//	GET /api/alerts      {alerts: [alertView...]} (?lang= for the texts)
//
// Mounted only when Config.Alerts is set.

// AlertFeed is where the page reads alerts (alerts.Alerter).
type AlertFeed interface {
	// Recent returns up to n alerts, newest first.
	Recent(ctx context.Context, n int) ([]alerts.Alert, error)
	// Title is an alert's one-line text in lang.
	Title(a alerts.Alert, lang string) string
}

// alertsShown is how many alerts the page lists.
const alertsShown = 200

func (in *Inbox) alertRoutes(mux *http.ServeMux) {
	if in.alerts == nil {
		return
	}
	mux.Handle("GET /inbox/alerts", in.page(alertsPage, true))
	mux.Handle("GET /api/alerts", in.api.handle(in.leadOnly(in.alertsList)))
}

// alertView is an alert as the API returns it.
type alertView struct {
	ID       string       `json:"id"`
	Kind     alerts.Kind  `json:"kind"`
	CaseID   string       `json:"case_id"`
	Priority string       `json:"priority"`
	Tier     string       `json:"tier"`
	Parties  []string     `json:"parties,omitempty"`
	Clock    alerts.Clock `json:"clock,omitempty"`
	Deadline time.Time    `json:"deadline,omitzero"`
	At       time.Time    `json:"at"`
	Title    string       `json:"title"`
	URL      string       `json:"url"` // the case page
}

func (in *Inbox) alertsList(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	list, err := in.alerts.Recent(r.Context(), alertsShown)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if !locales.IsSupported(lang) {
		lang = agent.Lang
	}
	if !locales.IsSupported(lang) {
		lang = in.lang
	}
	out := make([]alertView, 0, len(list))
	for _, a := range list {
		out = append(out, alertView{ID: a.ID, Kind: a.Kind, CaseID: a.CaseID, Priority: a.Priority, Tier: a.Tier,
			Parties: a.Parties, Clock: a.Clock, Deadline: a.Deadline, At: a.At,
			Title: in.alerts.Title(a, lang), URL: "/inbox/cases/" + a.CaseID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": out})
	return nil
}
