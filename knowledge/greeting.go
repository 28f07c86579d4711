package knowledge

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// MaxGreetingTopics is how many topics a KB may offer in the greeting: LINE
// shows at most 13 quick replies, and the greeting adds three of its own
// ("talk to a person" and the two other languages).
const MaxGreetingTopics = 10

// greetingRef is one id of a "greeting_topics" list, where it was written.
type greetingRef struct {
	id   string
	line int
}

// greetingList is the "greeting_topics" section of the KB, from the one
// file that declares it.
type greetingList struct {
	file string
	refs []greetingRef
}

// greetingSection validates the "greeting_topics" node of file name: a
// list of entry ids, declared in one file of the KB. The ids are checked
// against the entries once every file is read (checkGreeting).
func (l *loader) greetingSection(name string, n *yaml.Node) {
	if l.greeting.file != "" {
		l.fail(name, n.Line, "", "greeting_topics: already declared in %s (declare the greeting's topics once)", l.greeting.file)
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.fail(name, n.Line, "", "greeting_topics: want a list of entry ids")
		return
	}
	l.greeting.file = name
	if len(n.Content) > MaxGreetingTopics {
		l.fail(name, n.Line, "", "greeting_topics: %d topics, at most %d (LINE shows 13 quick replies; the greeting adds 3)", len(n.Content), MaxGreetingTopics)
	}
	var ids []string
	for i, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.Value == "" {
			l.fail(name, item.Line, "", "greeting_topics[%d]: want an entry id", i+1)
			continue
		}
		if slices.Contains(ids, item.Value) {
			l.fail(name, item.Line, "", "greeting_topics[%d]: %q is listed twice", i+1, item.Value)
			continue
		}
		ids = append(ids, item.Value)
		l.greeting.refs = append(l.greeting.refs, greetingRef{id: item.Value, line: item.Line})
	}
}

// checkGreeting reports greeting topics that name no entry and returns the
// ids in the order written.
func (l *loader) checkGreeting() []string {
	var ids []string
	for i, r := range l.greeting.refs {
		if _, ok := l.seen[r.id]; !ok {
			l.fail(l.greeting.file, r.line, "", "greeting_topics[%d]: no entry has id %q", i+1, r.id)
			continue
		}
		ids = append(ids, r.id)
	}
	return ids
}

// GreetingTopics returns the ids of the entries the KB offers as quick
// replies in the greeting, in the order declared ("greeting_topics"), or
// nil when the KB declares none.
func (b *Base) GreetingTopics() []string { return slices.Clone(b.greeting) }
