package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"
	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/knowledge/semantic"
)

// Limits from the KB format (LINE shows at most 20 characters on a button).
const (
	MaxQuickReplies = 4
	MaxLabelLen     = 20
)

var (
	// Lowercase letters and digits in words joined by single dashes;
	// underscores too, so an evaluation KB can use dataset intent names
	// (track_order) as ids.
	idPattern  = regexp.MustCompile(`^[a-z0-9]+([-_][a-z0-9]+)*$`)
	categories = []string{Consultation, Complaint, Fault, Suggestion}
	actions    = []string{ActionNone, ActionOrderStatus, ActionHandoff}
	allLangs   = []string{ZhTW, ZhCN, EN}
)

// LoadOptions tune Load.
type LoadOptions struct {
	// Languages the KB must cover: nil means all three. []string{"en"}
	// loads an English-only KB (the Bitext evaluation KB); Chinese fields
	// are then optional, and converted when present.
	Languages []string
	// Converter for the missing Chinese variant; nil uses a shared one.
	Converter *Converter
	// Files are KB files kept outside fsys (the learned items package
	// knowledge/gaps keeps in Redis), by path: loaded with fsys's files,
	// each replacing fsys's file of the same path.
	Files map[string][]byte
	// Semantic, when set, is the optional semantic tier: its index is
	// built from every entry's titles and examples at each load (a failed
	// build is logged to Log and the KB matches lexically), and Match
	// consults it as SemanticOptions say.
	Semantic        *semantic.Tier
	SemanticOptions SemanticOptions
	// Log receives the semantic index build's outcome [no logging].
	Log *zap.Logger
}

// Error is one validation problem, naming the file, the line when known
// and the entry id when known.
type Error struct {
	File  string
	Line  int
	Entry string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Entry != "" {
		fmt.Fprintf(&b, ": entry %q", e.Entry)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrEmpty is returned when a KB has no entries at all.
var ErrEmpty = errors.New("knowledge base has no entries")

// Load reads every *.yaml / *.yml file in fsys (recursively), validates it
// and builds the matcher. Validation problems are returned all at once
// (errors.Join), each naming file and entry id.
func Load(ctx context.Context, fsys fs.FS) (*Base, error) {
	return LoadWith(ctx, fsys, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Base, error) {
	return loadTuned(ctx, fsys, opts, defaultTuning)
}

func loadTuned(ctx context.Context, fsys fs.FS, opts LoadOptions, tune tuning) (*Base, error) {
	langs := opts.Languages
	if len(langs) == 0 {
		langs = allLangs
	}
	for _, l := range langs {
		if !slices.Contains(allLangs, l) {
			return nil, fmt.Errorf("load knowledge: unknown language %q in options", l)
		}
	}
	conv := opts.Converter
	if conv == nil {
		var err error
		if conv, err = defaultConverter(); err != nil {
			return nil, fmt.Errorf("load knowledge: %w", err)
		}
	}
	files, err := yamlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("load knowledge: %w", err)
	}
	for name := range opts.Files {
		if !slices.Contains(files, name) {
			files = append(files, name)
		}
	}
	sort.Strings(files)
	l := loader{langs: langs, conv: conv, seen: map[string]*Entry{}}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, extra := opts.Files[name]
		if !extra {
			if data, err = fs.ReadFile(fsys, name); err != nil {
				l.errs = append(l.errs, &Error{File: name, Msg: err.Error()})
				continue
			}
		}
		l.file(name, data)
	}
	l.applyAdded()
	greeting := l.checkGreeting()
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	if len(l.entries) == 0 {
		return nil, ErrEmpty
	}
	b, err := newBase(l.entries, langs, conv, l.syn.build(), l.lexicon, tune)
	if err != nil {
		return nil, err
	}
	b.greeting = greeting
	if opts.Semantic != nil {
		log := opts.Log
		if log == nil {
			log = zap.NewNop()
		}
		b.buildSemantic(ctx, opts.Semantic, opts.SemanticOptions, log)
	}
	return b, nil
}

// yamlFiles lists the *.yaml / *.yml files of fsys in lexical order.
func yamlFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil // editor swap and backup files
		}
		if ext := path.Ext(p); ext == ".yaml" || ext == ".yml" {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Raw YAML shapes.
type (
	rawFile struct {
		Entries        []yaml.Node `yaml:"entries"`
		AddExamples    []yaml.Node `yaml:"add_examples"`
		Synonyms       yaml.Node   `yaml:"synonyms"`
		GreetingTopics yaml.Node   `yaml:"greeting_topics"`
		Lexicon        yaml.Node   `yaml:"lexicon"`
	}
	rawEntry struct {
		ID           string              `yaml:"id"`
		Category     string              `yaml:"category"`
		Action       string              `yaml:"action"`
		Title        map[string]string   `yaml:"title"`
		Examples     map[string][]string `yaml:"examples"`
		Answer       map[string]string   `yaml:"answer"`
		QuickReplies []rawChoice         `yaml:"quick_replies"`
		Links        []rawLink           `yaml:"links"`
	}
	rawChoice struct {
		Label map[string]string `yaml:"label"`
		Text  map[string]string `yaml:"text"`
	}
	rawLink struct {
		Label map[string]string `yaml:"label"`
		URL   string            `yaml:"url"`
	}
)

var (
	fileKeys   = []string{"entries", "add_examples", "synonyms", "greeting_topics", "lexicon"}
	entryKeys  = []string{"id", "category", "action", "title", "examples", "answer", "quick_replies", "links"}
	choiceKeys = []string{"label", "text"}
	linkKeys   = []string{"label", "url"}
)

type loader struct {
	langs    []string
	conv     *Converter
	seen     map[string]*Entry
	entries  []*Entry
	syn      synonymGroups
	greeting greetingList
	added    []addedExamples
	lexicon  []concept // the KB's own lexicon concepts
	errs     []error
}

func (l *loader) fail(file string, line int, id, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: file, Line: line, Entry: id, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) file(name string, data []byte) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		l.fail(name, 0, "", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		l.fail(name, 0, "", "no entries (empty file)")
		return
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		l.fail(name, root.Line, "", "want a mapping with an \"entries\" list (or \"synonyms\", \"greeting_topics\") at the top")
		return
	}
	l.unknownKeys(name, "", root, fileKeys)
	var rf rawFile
	if err := root.Decode(&rf); err != nil {
		l.fail(name, root.Line, "", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	syn := childNode(root, "synonyms")
	if syn != nil {
		l.synonymsSection(name, syn)
	}
	greeting := childNode(root, "greeting_topics")
	if greeting != nil {
		l.greetingSection(name, greeting)
	}
	lex := childNode(root, "lexicon")
	if lex != nil {
		l.lexiconSection(name, lex)
	}
	// An empty add_examples list is a valid file (learned.yaml before
	// anything was learned).
	if len(rf.Entries) == 0 && childNode(root, "add_examples") == nil && syn == nil && greeting == nil && lex == nil {
		l.fail(name, root.Line, "", "no entries")
	}
	for i := range rf.Entries {
		l.entry(name, &rf.Entries[i])
	}
	for i := range rf.AddExamples {
		l.addExamples(name, &rf.AddExamples[i])
	}
}

// unknownKeys reports keys of mapping node n that are not in known.
func (l *loader) unknownKeys(file, id string, n *yaml.Node, known []string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) {
			l.fail(file, k.Line, id, "unknown field %q (want one of %s)", k.Value, strings.Join(known, ", "))
		}
	}
}

// childNode returns the value node of key in mapping n, or nil.
func childNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (l *loader) entry(file string, n *yaml.Node) {
	line := n.Line
	if n.Kind != yaml.MappingNode {
		l.fail(file, line, "", "entry is not a mapping")
		return
	}
	var raw rawEntry
	if id := childNode(n, "id"); id != nil {
		raw.ID = id.Value
	}
	id := raw.ID
	l.unknownKeys(file, id, n, entryKeys)
	for _, key := range []string{"quick_replies", "links"} {
		known := choiceKeys
		if key == "links" {
			known = linkKeys
		}
		if list := childNode(n, key); list != nil && list.Kind == yaml.SequenceNode {
			for _, item := range list.Content {
				l.unknownKeys(file, id, item, known)
			}
		}
	}
	if err := n.Decode(&raw); err != nil {
		l.fail(file, line, id, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	errsBefore := len(l.errs)
	fail := func(format string, args ...any) { l.fail(file, line, id, format, args...) }

	switch {
	case id == "":
		fail("missing id")
	case !idPattern.MatchString(id):
		fail("bad id %q: use lowercase letters and digits joined by single dashes", id)
	}
	if prev, dup := l.seen[id]; dup && id != "" {
		fail("duplicate id: also in %s", prev.File)
	}
	if !slices.Contains(categories, raw.Category) {
		fail("unknown category %q (want one of %s)", raw.Category, strings.Join(categories, ", "))
	}
	if !slices.Contains(actions, raw.Action) {
		fail("unknown action %q (want %s, %s or none)", raw.Action, ActionOrderStatus, ActionHandoff)
	}

	e := &Entry{
		ID:       id,
		Category: raw.Category,
		Action:   raw.Action,
		File:     file,
		Examples: map[string][]string{},
	}
	e.Title = l.text(fail, "title", raw.Title, MaxLabelLen, l.conv.Convert)
	// The answer is only read, never matched as a question: its missing
	// Chinese variant is converted in the region's wording.
	e.Answer = l.text(fail, "answer", raw.Answer, 0, l.conv.Localize)
	e.Examples = l.examples(fail, raw.Examples)
	if len(raw.QuickReplies) > MaxQuickReplies {
		fail("%d quick replies, at most %d", len(raw.QuickReplies), MaxQuickReplies)
	}
	for i, q := range raw.QuickReplies {
		f := fmt.Sprintf("quick_replies[%d]", i+1)
		e.QuickReplies = append(e.QuickReplies, Choice{
			Label: l.text(fail, f+".label", q.Label, MaxLabelLen, l.conv.Convert),
			Text:  l.text(fail, f+".text", q.Text, 0, l.conv.Convert),
		})
	}
	for i, k := range raw.Links {
		f := fmt.Sprintf("links[%d]", i+1)
		if err := checkURL(k.URL); err != nil {
			fail("%s.url %q: %v", f, k.URL, err)
		}
		e.Links = append(e.Links, Link{Label: l.text(fail, f+".label", k.Label, MaxLabelLen, l.conv.Convert), URL: k.URL})
	}
	if id != "" {
		if _, dup := l.seen[id]; !dup {
			l.seen[id] = e
		}
	}
	if len(l.errs) == errsBefore {
		l.entries = append(l.entries, e)
	}
}

func checkURL(s string) error {
	if s == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" {
			return errors.New("no host")
		}
	case "tel":
		if u.Opaque == "" {
			return errors.New("no number")
		}
	default:
		return errors.New("want an absolute https://, http:// or tel: URL")
	}
	return nil
}

// text validates one language field and fills the missing Chinese variant
// with convert (Converter.Convert or Localize). maxLen > 0 limits every
// variant to that many characters.
func (l *loader) text(fail func(string, ...any), field string, raw map[string]string, maxLen int, convert func(s, lang string) string) Text {
	t := Text{}
	for lang, s := range raw {
		if !slices.Contains(allLangs, lang) {
			fail("%s: unknown language %q (want zh-TW, zh-CN or en)", field, lang)
			continue
		}
		s = strings.TrimSpace(s)
		if s == "" {
			fail("%s.%s is empty", field, lang)
			continue
		}
		t[lang] = s
	}
	has := func(lang string) bool { _, ok := t[lang]; return ok }
	l.fillChinese(fail, field, has, func(from, to string) { t[to] = convert(t[from], to) })
	if maxLen > 0 {
		for _, lang := range allLangs {
			if n := utf8.RuneCountInString(t[lang]); n > maxLen {
				fail("%s.%s is %d characters, at most %d: %q", field, lang, n, maxLen, t[lang])
			}
		}
	}
	return t
}

// fillChinese checks that field has the required languages (has reports
// which are present) and calls convert(from, to) to produce the missing
// Chinese variant from the present one.
func (l *loader) fillChinese(fail func(string, ...any), field string, has func(lang string) bool, convert func(from, to string)) {
	if slices.Contains(l.langs, EN) && !has(EN) {
		fail("%s: missing en", field)
	}
	needZh := slices.Contains(l.langs, ZhTW) || slices.Contains(l.langs, ZhCN)
	tw, cn := has(ZhTW), has(ZhCN)
	switch {
	case tw && !cn:
		convert(ZhTW, ZhCN)
	case cn && !tw:
		convert(ZhCN, ZhTW)
	case !tw && !cn && needZh:
		fail("%s: missing Chinese (give zh-TW or zh-CN)", field)
	}
}

func (l *loader) examples(fail func(string, ...any), raw map[string][]string) map[string][]string {
	ex := map[string][]string{}
	for lang, list := range raw {
		if !slices.Contains(allLangs, lang) {
			fail("examples: unknown language %q (want zh-TW, zh-CN or en)", lang)
			continue
		}
		if len(list) == 0 {
			fail("examples.%s is empty", lang)
			continue
		}
		var clean []string
		for i, s := range list {
			s = strings.TrimSpace(s)
			if s == "" {
				fail("examples.%s[%d] is empty", lang, i+1)
				continue
			}
			clean = append(clean, s)
		}
		ex[lang] = clean
	}
	has := func(lang string) bool { _, ok := ex[lang]; return ok }
	l.fillChinese(fail, "examples", has, func(from, to string) {
		out := make([]string, len(ex[from]))
		for i, s := range ex[from] {
			out[i] = l.conv.Convert(s, to)
		}
		ex[to] = out
	})
	return ex
}
