package escalation

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// analyzeDigest is the SHA-256 of digestDump with the default rules. It was
// taken on the analysis as it stood before the perf11 speed work (main
// 2b71065) and must not change when Analyze only gets faster. A change of
// which messages trigger (rules tuning) changes it too: then regenerate it
// (WARMLINE_DIGEST=file writes the dump; diff it against the old one and
// check that every line that changed was meant to) and say so in the
// commit.
const analyzeDigest = "609133afee259d7c030e2550b91a24f89c8f394ad7321bfa97cf4d38ba5c3356"

// TestAnalyzeDigest runs every message of every labeled set
// (testdata/*.yaml, held-out sets included), the fuzz corpus of
// FuzzAnalyze, and every pairEvery-th message joined to the next one of its file (two
// requests in one message: the supervisor-beside-human and multi-trigger
// paths) through Analyze, and compares the digest of every output field
// (triggers with kind, route, message, evidence and amount; the complaint
// flag and its evidence; question; refund requested and amount) with
// analyzeDigest. It prints no score and no message: only the digest is
// compared, so it may cover the held-out sets. WARMLINE_DIGEST=file also
// writes the dump, to diff two builds.
func TestAnalyzeDigest(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	dump := digestDump(t, testRules(t))
	if out := os.Getenv("WARMLINE_DIGEST"); out != "" {
		if err := os.WriteFile(out, []byte(dump), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256([]byte(dump))
	if got := hex.EncodeToString(sum[:]); got != analyzeDigest {
		t.Errorf("digest of %d analyses = %s, want %s: Analyze gives other results than before (WARMLINE_DIGEST=file writes them to diff)",
			strings.Count(dump, "\n"), got, analyzeDigest)
	}
}

// pairEvery: every pairEvery-th message is joined to the next one for the
// digest (all of them would double the test's time under -race).
const pairEvery = 8

// digestDump writes one line per analysed text: the text and every field of
// its analysis.
func digestDump(tb testing.TB, r *Rules) string {
	tb.Helper()
	var b strings.Builder
	line := func(src, text, lang string, a Analysis) {
		fmt.Fprintf(&b, "%s\t%s\t%q\tcomplaint=%t %q question=%t refund=%t %d", src, lang, text,
			a.Complaint, a.ComplaintEvidence, a.Question, a.RefundRequested, a.RefundAmount)
		for _, tr := range a.Triggers {
			fmt.Fprintf(&b, "\t%s %s %s %q %s %t msg=%q ev=%q amount=%d", tr.Kind, tr.Route.Tier, tr.Route.Priority, tr.Route.Notify,
				tr.Route.FirstResponse, tr.Route.Investigate, tr.Message, tr.Evidence, tr.Amount)
		}
		b.WriteByte('\n')
	}
	names, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(names) == 0 {
		tb.Fatalf("no labeled sets: %v", err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		set := loadLabeled(tb, name)
		as := analyzedSet(tb, name)
		for i, m := range set {
			line(name, m.Text, m.Lang, as[i])
		}
		for i := 0; i+1 < len(set); i += pairEvery {
			text := set[i].Text + "，" + set[i+1].Text
			line(name+"+next", text, set[i].Lang, r.Analyze(text, set[i].Lang))
		}
	}
	for _, text := range fuzzCorpus(tb, "FuzzAnalyze") {
		line("fuzz", text, "zh-TW", r.Analyze(text, "zh-TW"))
	}
	return b.String()
}

// fuzzCorpus reads the string inputs of a fuzz target's corpus in testdata.
func fuzzCorpus(tb testing.TB, target string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus for %s: %v", target, err)
	}
	var out []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			l := sc.Text()
			if q, ok := strings.CutPrefix(l, "string("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				if err != nil {
					tb.Fatalf("%s: %v", f, err)
				}
				out = append(out, s)
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}
