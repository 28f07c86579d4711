package escalation

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite complaint_model.json from the training sets")

// complaintTrainSets are the sets the complaint model learns from: every
// -dev and probe set, never a -test or held-out set.
var complaintTrainSets = []string{
	"triggers-dev.yaml", "triggers-fresh.yaml", "triggers-probe.yaml", "triggers-probe2.yaml",
	"triggers-probe3.yaml", "complaints-probe.yaml", "triggers-blind2-dev.yaml",
	"complaints-blind-dev.yaml", "triggers-blind3-dev.yaml", "complaints-blind3-dev.yaml",
}

// trainComplaintModel counts each feature once per message by label and
// keeps those seen at least p.MinCount times.
func trainComplaintModel(r *Rules, p complaintModel, sets ...[]labeled) *complaintModel {
	pos, neg := map[string]int{}, map[string]int{}
	nPos, nNeg := 0, 0
	for _, set := range sets {
		for _, m := range set {
			c := neg
			if m.Complaint {
				c, nPos = pos, nPos+1
			} else {
				nNeg++
			}
			for f := range complaintFeatures(r.prepare(m.Text).trad) {
				c[f]++
			}
		}
	}
	round := func(x float64) float64 { return math.Round(x*1000) / 1000 }
	p.Prior = round(math.Log(float64(nPos+1) / float64(nNeg+1)))
	p.Weights = map[string]float64{}
	for _, counts := range []map[string]int{pos, neg} {
		for f := range counts {
			cp, cn := float64(pos[f]), float64(neg[f])
			if pos[f]+neg[f] < p.MinCount {
				continue
			}
			a := (cp + p.Alpha) / (float64(nPos) + 2*p.Alpha)
			b := (cn + p.Alpha) / (float64(nNeg) + 2*p.Alpha)
			p.Weights[f] = round(math.Log(a / b))
		}
	}
	return &p
}

// TestComplaintModelFile checks that complaint_model.json is what the
// training sets train (run with -update to rewrite it after a set changes).
func TestComplaintModelFile(t *testing.T) {
	r := testRules(t)
	cur, err := defaultModel()
	if err != nil {
		t.Fatal(err)
	}
	params := complaintModel{Alpha: cur.Alpha, MinCount: cur.MinCount, LexiconWeight: cur.LexiconWeight, Threshold: cur.Threshold}
	var sets [][]labeled
	for _, name := range complaintTrainSets {
		sets = append(sets, loadLabeled(t, name))
	}
	m := trainComplaintModel(r, params, sets...)
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile("complaint_model.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	embedded, err := modelFS.ReadFile("complaint_model.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(embedded, b) {
		t.Errorf("complaint_model.json is not what %v train; run go test -run TestComplaintModelFile -update ./handoff/escalation/", complaintTrainSets)
	}
	if len(m.Weights) < 500 {
		t.Errorf("model has %d features, want a few hundred at least", len(m.Weights))
	}
}

func TestComplaintFeatures(t *testing.T) {
	got := complaintFeatures("等太久了 still NOT here?")
	var keys []string
	for f := range got {
		keys = append(keys, f)
	}
	slices.Sort(keys)
	want := []string{"Q?", "bnot here", "bstill not", "c1久", "c1了", "c1太", "c1等", "c2久了", "c2太久", "c2等太", "where", "wnot", "wstill"}
	if !slices.Equal(keys, want) {
		t.Errorf("features = %q, want %q", keys, want)
	}
}

// TestWeighComplaint checks how the model and the lexicon combine, with a
// made-up model: a lexicon hit stands unless the model reads the message as
// strongly neutral, and the model alone fires only above the threshold.
func TestWeighComplaint(t *testing.T) {
	r := *testRules(t)
	r.model = &complaintModel{LexiconWeight: 8, Threshold: 4, Prior: -1,
		Weights: map[string]float64{"c2天氣": -6, "c2太慢": 3, "c2慢了": 3, "c1慢": 1}}
	r.model.index()
	tests := []struct {
		text     string
		lexicon  bool
		want     bool
		evidence string
	}{
		{"今天天氣", true, false, ""},           // -1 - 6 + 8 = 1: vetoed
		{"太慢", true, true, "lexicon"},       // -1 + 3 + 1 + 8 = 11
		{"太慢了", false, true, "太慢"},          // -1 + 3 + 3 + 1 = 6: the model alone
		{"慢", false, false, ""},             // -1 + 1 = 0
		{"nothing known", false, false, ""}, // the prior alone
	}
	for _, tt := range tests {
		ev := ""
		if tt.lexicon {
			ev = "lexicon"
		}
		got, gotEv := r.weighComplaint(r.prepare(tt.text), tt.lexicon, ev)
		if got != tt.want || gotEv != tt.evidence {
			t.Errorf("weighComplaint(%q, lexicon %v) = %v, %q; want %v, %q", tt.text, tt.lexicon, got, gotEv, tt.want, tt.evidence)
		}
	}
	r.model = nil
	if got, _ := r.weighComplaint(r.prepare("今天天氣"), true, "x"); !got {
		t.Error("without a model the lexicon's verdict should stand")
	}
}
