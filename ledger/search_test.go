package ledger

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/testclock"
)

// TestSearch: closed cases are found by case-number prefix, customer (LINE
// id or reference), opening date, topic and text (request, resolution note
// or any turn, case-insensitive, LIKE's wildcards taken literally), newest
// first; a customer's history lists only their cases.
func TestSearch(t *testing.T) {
	start := testclock.Start
	a := closedCase("CS-20261123-0001", start) // UCS-…-0001, shipping_delay, "包裹延遲三天了"
	b := closedCase("CS-20261124-0001", start.Add(24*time.Hour))
	b.UserID, b.Topic, b.Request, b.Disposition = a.UserID, "refund", "Refund 100% please", "refund"
	b.Transcript = []handoff.Turn{{From: handoff.FromCustomer, Kind: handoff.TurnText, Text: "Refund 100% please", At: b.CreatedAt}}
	c := closedCase("CS-20261124-0002", start.Add(25*time.Hour))
	c.Transcript = append(c.Transcript, handoff.Turn{From: handoff.FromAgent, Kind: handoff.TurnText, Text: "Tracking number ABC123", At: c.CreatedAt})
	eachBackend(t, func(t *testing.T, s *Store, _ *testclock.Clock) {
		for _, k := range []*handoff.Case{a, b, c} {
			apply(t, s, caseEntry(k, k.ClosedAt))
		}
		tests := []struct {
			name string
			q    Query
			want []string
		}{
			{"everything, newest first", Query{}, []string{c.ID, b.ID, a.ID}},
			{"case number prefix", Query{CaseID: "CS-20261124"}, []string{c.ID, b.ID}},
			{"whole case number", Query{CaseID: a.ID}, []string{a.ID}},
			{"customer by LINE id", Query{Customer: a.UserID}, []string{b.ID, a.ID}},
			{"customer by reference", Query{Customer: s.Pseudonym(c.UserID)}, []string{c.ID}},
			{"opened on the 24th", Query{From: start.Add(24 * time.Hour), To: start.Add(48 * time.Hour)}, []string{c.ID, b.ID}},
			{"topic", Query{Topic: "refund"}, []string{b.ID}},
			{"text in the request", Query{Text: "包裹延遲"}, []string{c.ID, a.ID}},
			{"text in a turn, any case", Query{Text: "tracking NUMBER"}, []string{c.ID}},
			{"text in the note", Query{Text: "單號 123"}, []string{c.ID, a.ID}},
			{"a literal percent sign", Query{Text: "100%"}, []string{b.ID}},
			{"a wildcard is no wildcard", Query{Text: "1_0"}, nil},
			{"combined", Query{Customer: a.UserID, Text: "包裹"}, []string{a.ID}},
			{"limit", Query{Limit: 1}, []string{c.ID}},
		}
		for _, tt := range tests {
			got, err := s.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.CaseID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
			}
		}
		hist, err := s.CustomerCases(context.Background(), a.UserID, 10)
		if err != nil || len(hist) != 2 || hist[0].CaseID != b.ID || hist[1].Satisfaction != 4 || hist[1].Status != handoff.StatusResolved {
			t.Errorf("history = %+v, %v; want b then a (resolved, rated 4)", hist, err)
		}
		if len(hist) == 2 && (hist[0].Disposition != "refund" || hist[1].Disposition != "") {
			t.Errorf("dispositions %q, %q; want refund, none", hist[0].Disposition, hist[1].Disposition)
		}
	})
}
