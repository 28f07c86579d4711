package ledger

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/testclock"
)

// ForgetCustomer pseudonymises one customer's cases on both backends:
// customer id and reference replaced, request and customer turns blanked,
// the given identifiers masked in the other turns, a dry run changing
// nothing, another customer untouched, and an older entry of the case
// applied afterwards not bringing the data back.
func TestForgetCustomer(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		ctx := context.Background()
		start := testclock.Start
		mine, theirs := closedCase("CS-20261123-0001", start), closedCase("CS-20261123-0002", start)
		mine.UserID, theirs.UserID = "Ualice", "Ubob"
		apply(t, s, caseEntry(mine, start.Add(3*time.Hour)))
		apply(t, s, caseEntry(theirs, start.Add(3*time.Hour)))
		dump := func() string {
			t.Helper()
			var b strings.Builder
			rows, err := s.db.QueryContext(ctx, `SELECT c.case_id, c.customer_id, c.customer_ref, c.request, t.sender, t.body, t.turn_json
				FROM cases c JOIN transcripts t ON t.case_id = c.case_id ORDER BY c.case_id, t.seq`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var f [7]string
				if err := rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]); err != nil {
					t.Fatal(err)
				}
				b.WriteString(strings.Join(f[:], "|") + "\n")
			}
			return b.String()
		}
		before := dump()
		clk.Set(start.Add(5 * time.Hour)) // forget runs after the entries were made
		f, err := s.ForgetCustomer(ctx, "Ualice", "forgotten-1", []string{"123"}, true)
		if err != nil || f.Cases != 1 || f.Turns != 1 || f.Outcomes != 1 {
			t.Fatalf("dry run = %+v, %v; want 1 case, 1 customer turn, 1 outcome", f, err)
		}
		if dump() != before {
			t.Fatal("the dry run changed the ledger")
		}
		if f, err = s.ForgetCustomer(ctx, "Ualice", "forgotten-1", []string{"123"}, false); err != nil || f.Cases != 1 {
			t.Fatalf("forget = %+v, %v", f, err)
		}
		// An older entry of the case arriving late changes nothing.
		late := closedCase("CS-20261123-0001", start)
		late.UserID = "Ualice"
		apply(t, s, caseEntry(late, start.Add(4*time.Hour)))
		got := dump()
		var mineRows, theirRows []string
		for _, r := range strings.Split(strings.TrimSpace(got), "\n") {
			if strings.HasPrefix(r, mine.ID) {
				mineRows = append(mineRows, r)
			} else {
				theirRows = append(theirRows, r)
			}
		}
		for _, r := range mineRows {
			if strings.Contains(r, "Ualice") || strings.Contains(r, s.Pseudonym("Ualice")) || strings.Contains(r, "包裹延遲") || strings.Contains(r, "單號 123") {
				t.Errorf("forgotten case still holds the customer: %s", r)
			}
			if !strings.Contains(r, "|forgotten-1|"+s.Pseudonym("forgotten-1")+"||") {
				t.Errorf("row %s: want the pseudonym, its reference and a blank request", r)
			}
		}
		if !strings.Contains(got, "已為您催貨") || !strings.Contains(got, "單號 ***") {
			t.Errorf("the shop's turns must stay (identifiers masked):\n%s", got)
		}
		if len(theirRows) != 3 || !strings.Contains(strings.Join(theirRows, ""), "Ubob|"+s.Pseudonym("Ubob")+"|包裹延遲") {
			t.Errorf("the other customer changed:\n%s", strings.Join(theirRows, "\n"))
		}
		var refs int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outcomes WHERE customer_ref = $1`, s.Pseudonym("Ualice")).Scan(&refs); err != nil || refs != 0 {
			t.Errorf("outcomes under the old reference: %d, %v", refs, err)
		}
	})
}

// TestForgetCountsCasesTheArchiverPseudonymisedFirst: warmline forget's
// Redis step re-archives each case it pseudonymises, and a running
// replica's archiver may apply that entry before the ledger step runs (a
// race TestE2EForget hit: "ledger cases pseudonymised 0"). Such a row
// already carries the run's pseudonym; it is still counted, its turns
// blanked and its request cleared.
func TestForgetCountsCasesTheArchiverPseudonymisedFirst(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		ctx := context.Background()
		start := testclock.Start
		c := closedCase("CS-20261123-0001", start)
		c.UserID = "forgotten-7" // as the Redis step left it
		apply(t, s, caseEntry(c, start.Add(3*time.Hour)))
		clk.Set(start.Add(5 * time.Hour))
		f, err := s.ForgetCustomer(ctx, "Ualice", "forgotten-7", nil, false)
		if err != nil || f.Cases != 1 || f.Turns < 1 {
			t.Fatalf("forget = %+v, %v; want the pseudonymised case counted with its customer turns", f, err)
		}
		var request string
		if err := s.db.QueryRowContext(ctx, `SELECT request FROM cases WHERE case_id = $1`, c.ID).Scan(&request); err != nil || request != "" {
			t.Errorf("request = %q, %v; want it blanked", request, err)
		}
		// Another run's pseudonym is not this customer.
		if f, err := s.ForgetCustomer(ctx, "Ubob", "forgotten-8", nil, true); err != nil || f.Cases != 0 {
			t.Errorf("forget bob = %+v, %v; want nothing", f, err)
		}
	})
}
