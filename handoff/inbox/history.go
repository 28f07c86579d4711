package inbox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/pii"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/report"
)

// Closed-case search and a customer's history, over the case ledger.
//
//	GET /inbox/search                 the search page (leads)
//	GET /api/search                   ?case=&customer=&from=&to=&topic=&q=&lang=
//	                                  → {cases: [recordView...]}, newest first
//	                                  (leads; from/to are dates, YYYY-MM-DD in
//	                                  the SLA policy's zone, both included)
//	GET /api/cases/{id}/history       the case's customer's other closed cases,
//	                                  newest first, those the agent may see
//	                                  (handoff.CanSee on tier and owner)
//
// Mounted only when Config.History is set.

// CaseHistory is where the inbox finds closed cases (ledger.Store).
type CaseHistory interface {
	Search(ctx context.Context, q ledger.Query) ([]ledger.Record, error)
	CustomerCases(ctx context.Context, userID string, n int) ([]ledger.Record, error)
	// Records are the cases opened in [from, to), for the export.
	Records(ctx context.Context, from, to time.Time) ([]ledger.Record, error)
}

// historyShown is how many earlier cases the case view lists.
const historyShown = 20

func (in *Inbox) historyRoutes(mux *http.ServeMux) {
	if in.history == nil {
		return
	}
	mux.Handle("GET /inbox/search", in.page(searchPage, true))
	mux.Handle("GET /api/search", in.api.handle(in.leadOnly(in.search)))
	mux.Handle("GET /api/cases/{id}/history", in.api.handle(in.customerHistory))
	mux.Handle("GET /api/ledger/export", in.api.handle(in.leadOnly(in.ledgerExport)))
}

// recordView is a closed case as search and history return it: the
// customer as a reference (and the LINE id masked), the request cut.
type recordView struct {
	CaseID       string    `json:"case_id"`
	Created      time.Time `json:"created_at"`
	Closed       time.Time `json:"closed_at"`
	Status       string    `json:"status"`
	Priority     string    `json:"priority"`
	Tier         string    `json:"tier"`
	Category     string    `json:"category"`
	Topic        string    `json:"topic"`      // the KB topic id ("" none)
	TopicName    string    `json:"topic_name"` // its name where warmline has one, else the id
	Disposition  string    `json:"disposition,omitempty"`
	Satisfaction int       `json:"satisfaction,omitempty"`
	// Owner names the case's owner (the agent who had it when it closed,
	// or who returned it to the bot unclaimed); OwnerID is that agent's id;
	// both empty when nobody took it.
	Owner      string `json:"owner_name,omitempty"`
	OwnerID    string `json:"owner_id,omitempty"`
	Request    string `json:"request"`
	Customer   string `json:"customer"`      // the ledger's pseudonym: search by it
	CustomerID string `json:"customer_line"` // the LINE user id, masked
	URL        string `json:"url"`
}

// requestShown is how much of the request a result shows.
const requestShown = 140

func (in *Inbox) recordViews(recs []ledger.Record, lang string) []recordView {
	out := make([]recordView, 0, len(recs))
	for _, r := range recs {
		req := handoff.Excerpt(r.Request, requestShown)        // cut between words, never mid-word
		name := report.TopicName(in.tr, in.svc, lang, r.Topic) // as the dashboard names it
		out = append(out, recordView{CaseID: r.CaseID, Created: r.Created, Closed: r.Closed, Status: r.Status,
			Priority: r.Priority, Tier: r.Tier, Category: r.Category, Topic: r.Topic, TopicName: name,
			Disposition: r.Disposition, Satisfaction: r.Satisfaction, Owner: in.agentName(r.OwnerID, r.OwnerName), OwnerID: r.OwnerID,
			Request:  pii.UserIDs(req),
			Customer: r.Customer, CustomerID: pii.UserID(r.CustomerID), URL: "/inbox/cases/" + r.CaseID})
	}
	return out
}

// agentName names an agent by id as the accounts file does now, else by
// the name the ledger kept, else by the id (an agent since removed).
func (in *Inbox) agentName(id, kept string) string {
	if kept != "" || id == "" {
		return kept
	}
	if a, ok := in.accounts.Agent(id); ok && a.Name != "" {
		return a.Name
	}
	return id
}

// viewLang is the language of texts an API call returns: ?lang=, else the
// agent's, else the inbox's.
func (in *Inbox) viewLang(r *http.Request, agent handoff.Agent) string {
	for _, l := range []string{r.URL.Query().Get("lang"), agent.Lang} {
		if locales.IsSupported(l) {
			return l
		}
	}
	return in.lang
}

func (in *Inbox) search(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	p := r.URL.Query()
	q := ledger.Query{CaseID: p.Get("case"), Customer: p.Get("customer"), Topic: p.Get("topic"), Text: p.Get("q")}
	loc := in.svc.Policy().Location
	for _, d := range []struct {
		param string
		into  *time.Time
		add   int
	}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
		v := p.Get(d.param)
		if v == "" {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return fmt.Errorf("%w: %s must be a date (YYYY-MM-DD)", errBadRequest, d.param)
		}
		*d.into = day.AddDate(0, 0, d.add)
	}
	if n, err := strconv.Atoi(p.Get("limit")); err == nil {
		q.Limit = n
	}
	recs, err := in.history.Search(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": in.recordViews(recs, in.viewLang(r, agent))})
	return nil
}

func (in *Inbox) customerHistory(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	c, err := in.svc.Get(r.Context(), agent, r.PathValue("id"))
	if err != nil {
		return err
	}
	recs, err := in.history.CustomerCases(r.Context(), c.UserID, historyShown+1)
	if err != nil {
		return err
	}
	mine := make([]ledger.Record, 0, len(recs))
	for _, rec := range recs {
		if rec.CaseID != c.ID && handoff.CanSee(agent, &handoff.Case{Tier: rec.Tier, Owner: rec.OwnerID}) && len(mine) < historyShown {
			mine = append(mine, rec)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": in.recordViews(mine, in.viewLang(r, agent))})
	return nil
}
