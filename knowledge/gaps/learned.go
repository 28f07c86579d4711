package gaps

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/knowledge"
)

// Auto is the approver of items accepted automatically.
const Auto = "auto"

// Approver is who approves: an agent's id and name, or Auto.
type Approver struct {
	ID   string
	Name string
}

// Item is one approved change of the KB: more examples for Entry, or (New)
// a new entry with its title and answer in every language.
type Item struct {
	ID       string              `json:"id"`
	Entry    string              `json:"entry"`
	New      bool                `json:"new,omitempty"`
	Category string              `json:"category,omitempty"`
	Title    map[string]string   `json:"title,omitempty"`
	Answer   map[string]string   `json:"answer,omitempty"`
	Examples map[string][]string `json:"examples"`
	By       string              `json:"by"`
	ByName   string              `json:"by_name,omitempty"`
	At       time.Time           `json:"at"`
	// Customers is how many distinct customers agreed (auto-accept).
	Customers int `json:"customers,omitempty"`
}

// Examples is an approval: add Questions as examples of Entry and settle
// the signals (the group's, usually).
type Examples struct {
	Entry     string
	Questions []Question
	Signals   []string
}

// NewEntry is an approval: a new entry, its first examples the questions.
type NewEntry struct {
	ID        string
	Category  string
	Title     map[string]string
	Answer    map[string]string
	Questions []Question
	Signals   []string
}

// langs are the languages a new entry must have.
var langs = []string{knowledge.ZhTW, knowledge.ZhCN, knowledge.EN}

// examplesOf cleans questions into examples by language, dropping empty
// and repeated ones.
func examplesOf(qs []Question) map[string][]string {
	out := map[string][]string{}
	for _, q := range qs {
		text := Clean(q.Text)
		if text == "" || !slices.Contains(langs, q.Lang) || slices.Contains(out[q.Lang], text) {
			continue
		}
		out[q.Lang] = append(out[q.Lang], text)
	}
	return out
}

// ApproveExamples adds questions to an entry of the KB.
func (s *Service) ApproveExamples(ctx context.Context, by Approver, a Examples) (Item, error) {
	ex := examplesOf(a.Questions)
	switch {
	case a.Entry == "":
		return Item{}, fmt.Errorf("%w: no entry", ErrInvalid)
	case len(ex) == 0:
		return Item{}, fmt.Errorf("%w: no questions", ErrInvalid)
	}
	it := Item{Entry: a.Entry, Examples: ex}
	return s.approve(ctx, by, it, a.Signals)
}

// ApproveEntry adds a new entry to the KB.
func (s *Service) ApproveEntry(ctx context.Context, by Approver, a NewEntry) (Item, error) {
	var missing []string
	for _, l := range langs {
		if strings.TrimSpace(a.Title[l]) == "" {
			missing = append(missing, "title."+l)
		}
		if strings.TrimSpace(a.Answer[l]) == "" {
			missing = append(missing, "answer."+l)
		}
	}
	if a.ID == "" {
		missing = append([]string{"id"}, missing...)
	}
	if len(missing) > 0 {
		return Item{}, fmt.Errorf("%w: missing %s", ErrInvalid, strings.Join(missing, ", "))
	}
	ex := examplesOf(a.Questions)
	// Every language needs an example: the title is the first.
	for _, l := range langs {
		title := strings.TrimSpace(a.Title[l])
		if !slices.Contains(ex[l], title) {
			ex[l] = append([]string{title}, ex[l]...)
		}
	}
	it := Item{Entry: a.ID, New: true, Category: cmp.Or(a.Category, knowledge.Consultation),
		Title: trimAll(a.Title), Answer: trimAll(a.Answer), Examples: ex}
	return s.approve(ctx, by, it, a.Signals)
}

func trimAll(m map[string]string) map[string]string {
	out := map[string]string{}
	for _, l := range langs {
		out[l] = strings.TrimSpace(m[l])
	}
	return out
}

// ApproveAll adds the questions of every approval to its entry, as one
// change of the KB (the page's "approve all suggestions").
func (s *Service) ApproveAll(ctx context.Context, by Approver, as []Examples) ([]Item, error) {
	var items []Item
	var signals []string
	for _, a := range as {
		ex := examplesOf(a.Questions)
		if a.Entry == "" || len(ex) == 0 {
			return nil, fmt.Errorf("%w: an approval without entry or questions", ErrInvalid)
		}
		items = append(items, Item{Entry: a.Entry, Examples: ex})
		signals = append(signals, a.Signals...)
	}
	return s.approveItems(ctx, by, items, signals)
}

// approve is approveItems of one item.
func (s *Service) approve(ctx context.Context, by Approver, it Item, signals []string) (Item, error) {
	items, err := s.approveItems(ctx, by, []Item{it}, signals)
	if err != nil {
		return Item{}, err
	}
	return items[0], nil
}

// approveItems checks that the KB loads with them, stores them, settles
// the signals and makes every replica reload.
func (s *Service) approveItems(ctx context.Context, by Approver, add []Item, signals []string) ([]Item, error) {
	if len(add) == 0 {
		return nil, nil
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := s.now().UTC()
	for i := range add {
		// Ids sort in approval order (Items, learned.yaml).
		add[i].ID = fmt.Sprintf("l%011x%03x%s", now.UnixMilli(), i, randomID()[:6])
		add[i].By, add[i].ByName, add[i].At = by.ID, by.Name, now
	}
	items, err := s.Items(ctx)
	if err != nil {
		return nil, err
	}
	file, err := render(append(items, add...))
	if err != nil {
		return nil, err
	}
	if err := s.store.Check(ctx, map[string][]byte{FileName: file}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	fields := make([]any, 0, 2*len(add))
	for _, it := range add {
		data, err := json.Marshal(it)
		if err != nil {
			return nil, err
		}
		fields = append(fields, it.ID, data)
	}
	if err := s.rdb.HSet(ctx, s.key("learned"), fields...).Err(); err != nil {
		return nil, fmt.Errorf("store learned items: %w", err)
	}
	if err := s.settle(ctx, signals); err != nil {
		return nil, fmt.Errorf("settle gaps: %w", err)
	}
	s.changed(ctx)
	return add, nil
}

// Dismiss settles signals without learning anything (not a KB question).
func (s *Service) Dismiss(ctx context.Context, signals []string) error {
	if err := s.settle(ctx, signals); err != nil {
		return fmt.Errorf("dismiss gaps: %w", err)
	}
	return nil
}

// Remove deletes a learned item (to edit it by hand in a KB file, say).
func (s *Service) Remove(ctx context.Context, id string) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	n, err := s.rdb.HDel(ctx, s.key("learned"), id).Result()
	if err != nil {
		return fmt.Errorf("remove learned item %s: %w", id, err)
	}
	if n == 0 {
		return ErrNoItem
	}
	s.changed(ctx)
	return nil
}

// Items returns the learned items, oldest first.
func (s *Service) Items(ctx context.Context) ([]Item, error) {
	h, err := s.rdb.HGetAll(ctx, s.key("learned")).Result()
	if err != nil {
		return nil, fmt.Errorf("read learned items: %w", err)
	}
	items := make([]Item, 0, len(h))
	for _, id := range slices.Sorted(maps.Keys(h)) {
		var it Item
		if err := json.Unmarshal([]byte(h[id]), &it); err != nil {
			return nil, fmt.Errorf("read learned item %s: %w", id, err)
		}
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b Item) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	return items, nil
}

// Files is the store's overlay: the learned items as learned.yaml. With no
// items and no learned.yaml in the KB to hide, it has no file, so a KB
// loaded before any item was learned is the same KB (Store.Sync loads
// nothing).
func (s *Service) Files(ctx context.Context) (map[string][]byte, error) {
	items, err := s.Items(ctx)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 && !s.store.HasFile(FileName) {
		return map[string][]byte{}, nil
	}
	data, err := render(items)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{FileName: data}, nil
}

const fileHeader = `Learned from customers' questions on the inbox's Knowledge gaps page.
warmline writes this file from the approvals it keeps in Redis (the source
of truth, shared by every replica): edits here are replaced. To change an
item, copy it into another file of the knowledge base and remove it on the
Knowledge gaps page.`

// render writes items as a KB file: examples added to existing entries
// under add_examples, new entries under entries, each with a comment
// saying who approved it and when.
func render(items []Item) ([]byte, error) {
	adds := &yaml.Node{Kind: yaml.SequenceNode}
	entries := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range items {
		who := it.ByName
		if who == "" || who == it.By {
			who = it.By
		} else {
			who += " (" + it.By + ")"
		}
		if it.By == Auto {
			who = fmt.Sprintf("auto-accept: %d customers picked it from the menu", it.Customers)
		}
		comment := fmt.Sprintf("%s: approved by %s on %s", it.ID, who, it.At.UTC().Format("2006-01-02 15:04 UTC"))
		ex := examplesNode(it.Examples)
		if !it.New {
			n := mapping("entry", scalar(it.Entry), "examples", ex)
			n.HeadComment = comment
			adds.Content = append(adds.Content, n)
			continue
		}
		n := mapping("id", scalar(it.Entry), "category", scalar(it.Category),
			"title", textNode(it.Title), "examples", ex, "answer", textNode(it.Answer))
		n.HeadComment = "new entry " + comment
		entries.Content = append(entries.Content, n)
	}
	root := mapping("add_examples", adds)
	if len(entries.Content) > 0 {
		root.Content = append(root.Content, scalar("entries"), entries)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: fileHeader, Content: []*yaml.Node{root}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("render learned items: %w", err)
	}
	return out, nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, scalar(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}

func textNode(t map[string]string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, l := range langs {
		if v, ok := t[l]; ok {
			n.Content = append(n.Content, scalar(l), scalar(v))
		}
	}
	return n
}

func examplesNode(ex map[string][]string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, l := range langs {
		if len(ex[l]) == 0 {
			continue
		}
		list := &yaml.Node{Kind: yaml.SequenceNode}
		for _, q := range ex[l] {
			list.Content = append(list.Content, scalar(q))
		}
		n.Content = append(n.Content, scalar(l), list)
	}
	return n
}
