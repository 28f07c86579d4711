package knowledge

// Languages (same strings as package locales).
const (
	ZhTW = "zh-TW"
	ZhCN = "zh-CN"
	EN   = "en"
)

// Categories of an entry, from the SOP.
const (
	Consultation = "consultation"
	Complaint    = "complaint"
	Fault        = "fault"
	Suggestion   = "suggestion"
)

// Actions an entry may carry instead of (or besides) a plain answer.
const (
	ActionNone        = ""
	ActionOrderStatus = "order_status" // start the order-status flow
	ActionHandoff     = "handoff"      // the customer asks for a person
)

// Text is a string per language. After loading, all three languages are
// present (zh-TW <-> zh-CN filled by conversion).
type Text map[string]string

// Choice is a quick reply an entry offers: Label (≤ 20 chars) shown on the
// button, Text sent as the customer's message when tapped.
type Choice struct {
	Label Text
	Text  Text
}

// Link is a URL with a label.
type Link struct {
	Label Text
	URL   string
}

// Entry is one knowledge-base entry.
type Entry struct {
	ID           string
	Category     string
	Action       string
	Title        Text // short name, used on quick-reply buttons when offering candidates
	Examples     map[string][]string
	Answer       Text
	QuickReplies []Choice
	Links        []Link
	File         string // file it was loaded from, for error messages
}

// Confidence of a match.
type Confidence int

const (
	Low Confidence = iota
	Medium
	High
)

func (c Confidence) String() string {
	switch c {
	case High:
		return "high"
	case Medium:
		return "medium"
	}
	return "low"
}

// Candidate is an entry and its score (higher is better; scale is the
// matcher's own).
type Candidate struct {
	Entry *Entry
	Score float64
}

// Match is the result of matching a question. Candidates are best first, at
// most 3. With High confidence Candidates[0] is the answer; with Medium the
// bot offers the candidates; with Low it offers nothing as an answer.
type Match struct {
	Confidence Confidence
	Candidates []Candidate
}

// Best returns the top candidate's entry or nil.
func (m Match) Best() *Entry {
	if len(m.Candidates) == 0 {
		return nil
	}
	return m.Candidates[0].Entry
}
