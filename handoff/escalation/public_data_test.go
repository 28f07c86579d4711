package escalation

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sharedData finds the team's public evaluation data (a sibling "shared/data"
// of the repository or of one of its parents), skipping the test when absent.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("shared/data/%s not found above the package directory", rel)
		}
		dir = parent
	}
}

type bitextRow struct {
	text, intent, entityType, entityValue string
}

func loadBitext(t *testing.T) []bitextRow {
	t.Helper()
	f, err := os.Open(sharedData(t, "bitext/bitext-customer-support-4514.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"instruction", "intent", "entity_type", "entity_value"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("bitext: no column %q", h)
		}
	}
	var rows []bitextRow
	for _, r := range recs[1:] {
		rows = append(rows, bitextRow{r[col["instruction"]], r[col["intent"]], r[col["entity_type"]], r[col["entity_value"]]})
	}
	return rows
}

type rate struct{ hit, n int }

func (r rate) pct() float64 {
	if r.n == 0 {
		return 0
	}
	return 100 * float64(r.hit) / float64(r.n)
}

// TestBitextRouting measures English routing on the Bitext customer-support
// set (synthetic, with typos and rude wording). Not tuned on: the rules were
// written from the SOP and the team's own sets.
//
// The refund_amount entity values in this file are truncated ("1" for "160
// dollars", "12" for "1200 dollars"), so the reference amount is the number
// written in the utterance; the test also counts how often ParseAmount agrees
// with that number.
func TestBitextRouting(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	rows := loadBitext(t)
	r := testRules(t)
	var human, serviceHuman, complaint, refundOver, refundUnder, otherFire, amountAgree rate
	firedByKind := map[string]int{}
	var missedHuman, missedComplaint, falseFires []string
	for _, row := range rows {
		a := r.Analyze(row.text, "en")
		switch row.intent {
		case "contact_human_agent":
			human.n++
			if a.Has(KindHuman) || a.Has(KindSupervisor) {
				human.hit++
			} else if len(missedHuman) < 8 {
				missedHuman = append(missedHuman, row.text)
			}
		case "contact_customer_service":
			serviceHuman.n++
			if a.Has(KindHuman) || a.Has(KindSupervisor) {
				serviceHuman.hit++
			}
		case "complaint":
			complaint.n++
			if a.Complaint {
				complaint.hit++
			} else if len(missedComplaint) < 8 {
				missedComplaint = append(missedComplaint, row.text)
			}
		case "get_refund":
			if row.entityType != "refund_amount" {
				break
			}
			want := largestNumber(row.text)
			amountAgree.n++
			if got, ok := ParseAmount(row.text); ok && got == want {
				amountAgree.hit++
			}
			if want > r.RefundLimit {
				refundOver.n++
				if a.Has(KindRefund) {
					refundOver.hit++
				}
			} else {
				refundUnder.n++
				if a.Has(KindRefund) {
					refundUnder.hit++
				}
			}
		}
		if slices.Contains([]string{"contact_human_agent", "contact_customer_service", "complaint", "get_refund"}, row.intent) {
			continue
		}
		otherFire.n++
		if len(a.Triggers) > 0 {
			otherFire.hit++
			for _, tr := range a.Triggers {
				firedByKind[tr.Kind]++
			}
			if len(falseFires) < 12 {
				falseFires = append(falseFires, row.intent+": "+row.text+" -> "+a.Triggers[0].Kind+" ("+a.Triggers[0].Evidence+")")
			}
		}
	}
	t.Logf("contact_human_agent: human/supervisor recall %.1f%% (%d/%d)", human.pct(), human.hit, human.n)
	t.Logf("contact_customer_service: fires human/supervisor %.1f%% (%d/%d) (asking for customer service is arguably asking for a person)", serviceHuman.pct(), serviceHuman.hit, serviceHuman.n)
	t.Logf("complaint: Complaint recall %.1f%% (%d/%d)", complaint.pct(), complaint.hit, complaint.n)
	t.Logf("get_refund with amount > %d: refund trigger %.1f%% (%d/%d); amount <= limit fired %d/%d", r.RefundLimit, refundOver.pct(), refundOver.hit, refundOver.n, refundUnder.hit, refundUnder.n)
	t.Logf("get_refund amounts: ParseAmount equals the utterance's number in %d/%d rows", amountAgree.hit, amountAgree.n)
	t.Logf("other intents: any trigger fired %.2f%% (%d/%d), by kind %v", otherFire.pct(), otherFire.hit, otherFire.n, firedByKind)
	for _, s := range missedHuman {
		t.Logf("  missed human: %s", s)
	}
	for _, s := range missedComplaint {
		t.Logf("  missed complaint: %s", s)
	}
	for _, s := range falseFires {
		t.Logf("  false fire: %s", s)
	}
	// Loose floors: they catch a broken rules file, not a tuned score.
	if human.pct() < 80 {
		t.Errorf("contact_human_agent recall %.1f%%, want >= 80%%", human.pct())
	}
	if complaint.pct() < 50 {
		t.Errorf("complaint recall %.1f%%, want >= 50%%", complaint.pct())
	}
	// 3 of the 19 rows spell the verb beyond recognition ("reimbvurse",
	// "reabting"); the floor leaves room for them.
	if refundOver.pct() < 80 {
		t.Errorf("refund trigger rate on get_refund > limit %.1f%%, want >= 80%%", refundOver.pct())
	}
	if refundUnder.hit > 0 {
		t.Errorf("refund trigger fired on %d get_refund rows at or below the limit", refundUnder.hit)
	}
	if otherFire.pct() > 3 {
		t.Errorf("false-fire rate on other intents %.2f%%, want <= 3%%", otherFire.pct())
	}
}

// largestNumber is the biggest plain number written in s (the Bitext
// reference amount).
func largestNumber(s string) int {
	best := 0
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if n, err := strconv.Atoi(f); err == nil && n > best {
			best = n
		}
	}
	return best
}

// TestCLINCNoTriggers: out-of-scope queries (weather, trivia, banking) must
// not escalate.
func TestCLINCNoTriggers(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	f, err := os.Open(sharedData(t, "clinc150-oos/out-of-scope-200.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := testRules(t)
	var fired rate
	var complaints int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		fired.n++
		a := r.Analyze(q, "en")
		if a.Complaint {
			complaints++
		}
		if len(a.Triggers) > 0 {
			fired.hit++
			t.Logf("  fired %s on %q (%s)", a.Triggers[0].Kind, q, a.Triggers[0].Evidence)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("CLINC out-of-scope: any trigger fired %.1f%% (%d/%d); complaint flagged %d", fired.pct(), fired.hit, fired.n, complaints)
	if fired.pct() > 3 {
		t.Errorf("trigger rate on out-of-scope queries %.1f%%, want <= 3%%", fired.pct())
	}
}
