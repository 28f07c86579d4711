package escalation

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/knowledge"
)

// The rules file as written (see default.yaml for the documented format).
type ruleFile struct {
	Thresholds thresholdsFile            `yaml:"thresholds"`
	Triggers   map[string]triggerFile    `yaml:"triggers"`
	Complaint  map[string]phraseListFile `yaml:"complaint"`
	Questions  map[string]phraseListFile `yaml:"questions"`
	Praise     map[string]phraseListFile `yaml:"praise"`
	Typos      typosFile                 `yaml:"typos"`
}

// typosFile: corrections tried when a message fires nothing as written.
type typosFile struct {
	Words []string          `yaml:"words"` // English trigger words
	Keep  []string          `yaml:"keep"`  // real words close to one: never corrected
	Zh    map[string]string `yaml:"zh"`    // wrong → right, as many characters
	// En lists English typos of trigger words too short for the edit
	// distance (humna → human, agnet → agent, mngr → manager): wrong → right.
	En map[string]string `yaml:"en"`
	// Chinese words read through one sound-alike character (經李 → 經理):
	// zh_words are the trigger words, zh_sounds groups of characters that
	// sound alike, zh_keep real words that contain such a misreading (主人公).
	ZhWords  []string `yaml:"zh_words"`
	ZhSounds []string `yaml:"zh_sounds"`
	ZhKeep   []string `yaml:"zh_keep"`
}

// thresholdsFile: nil (or "") is a threshold the file leaves out.
type thresholdsFile struct {
	RefundLimit     *int   `yaml:"refund_limit"`
	RepeatThreshold *int   `yaml:"repeat_threshold"`
	RepeatWindow    string `yaml:"repeat_window"`
	UnsolvedAfter   string `yaml:"unsolved_after"`
	UnhelpfulLimit  *int   `yaml:"unhelpful_limit"`
}

// orDefaults fills the thresholds t leaves out from d.
func (t thresholdsFile) orDefaults(d thresholdsFile) thresholdsFile {
	t.RefundLimit = cmp.Or(t.RefundLimit, d.RefundLimit)
	t.RepeatThreshold = cmp.Or(t.RepeatThreshold, d.RepeatThreshold)
	t.RepeatWindow = cmp.Or(t.RepeatWindow, d.RepeatWindow)
	t.UnsolvedAfter = cmp.Or(t.UnsolvedAfter, d.UnsolvedAfter)
	t.UnhelpfulLimit = cmp.Or(t.UnhelpfulLimit, d.UnhelpfulLimit)
	return t
}

// sopThresholds are the SOP defaults: the thresholds of the embedded
// default.yaml, the one place they are written. Read once: the file is
// embedded, and decoding it is a full YAML parse of ~1,000 patterns (the
// values are copied out, never changed).
var sopThresholds = sync.OnceValues(func() (thresholdsFile, error) {
	var f struct {
		Thresholds thresholdsFile `yaml:"thresholds"`
	}
	if err := yaml.Unmarshal(DefaultFile(), &f); err != nil {
		return thresholdsFile{}, fmt.Errorf("default thresholds: %w", err)
	}
	return f.Thresholds, nil
})

type triggerFile struct {
	Route   *routeFile                `yaml:"route"`
	Phrases map[string]phraseListFile `yaml:"phrases"`
}

type routeFile struct {
	Tier          string   `yaml:"tier"`
	Priority      string   `yaml:"priority"`
	Notify        []string `yaml:"notify"`
	FirstResponse string   `yaml:"first_response"`
	Investigate   bool     `yaml:"investigate"`
}

type phraseListFile struct {
	Match   []string `yaml:"match"`
	Exclude []string `yaml:"exclude"`
	Soft    []string `yaml:"soft"` // complaint only: words that are no complaint in a neutral question
}

// Phrase languages of a rules file. zh-CN patterns are converted to
// Traditional at load, like the messages they are matched against.
var phraseLangs = []string{"en", "zh-TW", "zh-CN"}

var notifyName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// parse builds Rules from a rules file with the given converter, taking
// the patterns it has already compiled from cache (nil: compile them all).
func parse(data []byte, zh *knowledge.Converter, cache *patternCache) (*Rules, error) {
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	r := &Rules{routes: map[string]Route{}, phrases: map[string]*phraseSet{}, zh: zh, also: regexp.MustCompile(alsoPattern), refusal: regexp.MustCompile(refusalPattern)}
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	sop, err := sopThresholds()
	if err != nil {
		return nil, err
	}
	// A threshold the file leaves out takes the SOP default; one it writes
	// is used as written (refund_limit: 0 sends every refund to a person).
	t := f.Thresholds.orDefaults(sop)
	intField := func(name string, v *int, min int, dst *int) {
		switch {
		case v == nil:
			add("thresholds.%s: missing", name)
		case *v < min:
			add("thresholds.%s: %d is below the minimum %d", name, *v, min)
		default:
			*dst = *v
		}
	}
	durField := func(name, v string, dst *time.Duration) {
		if v == "" {
			add("thresholds.%s: missing", name)
			return
		}
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			add("thresholds.%s: %q is not a duration (write e.g. 15m, 168h)", name, v)
		case d <= 0:
			add("thresholds.%s: %s must be positive", name, v)
		default:
			*dst = d
		}
	}
	intField("refund_limit", t.RefundLimit, 0, &r.RefundLimit)
	intField("repeat_threshold", t.RepeatThreshold, 1, &r.RepeatThreshold)
	durField("repeat_window", t.RepeatWindow, &r.RepeatWindow)
	durField("unsolved_after", t.UnsolvedAfter, &r.UnsolvedAfter)
	intField("unhelpful_limit", t.UnhelpfulLimit, 1, &r.UnhelpfulLimit)

	known := Kinds()
	content := contentKinds()
	for _, kind := range slices.Sorted(maps.Keys(f.Triggers)) {
		if !slices.Contains(known, kind) {
			add("triggers.%s: unknown trigger kind (known: %s)", kind, strings.Join(known, ", "))
		}
	}
	for _, kind := range known {
		tf, ok := f.Triggers[kind]
		if !ok {
			add("triggers.%s: missing", kind)
			continue
		}
		field := "triggers." + kind
		if tf.Route == nil {
			add("%s.route: missing", field)
		} else if rt, err := buildRoute(field+".route", *tf.Route); err != nil {
			errs = append(errs, err)
		} else {
			r.routes[kind] = rt
		}
		if !slices.Contains(content, kind) {
			if len(tf.Phrases) > 0 {
				add("%s.phrases: %s is detected by the bot from the conversation, not from phrases; remove them", field, kind)
			}
			continue
		}
		for _, lang := range slices.Sorted(maps.Keys(tf.Phrases)) {
			if len(tf.Phrases[lang].Soft) > 0 {
				add("%s.phrases.%s.soft: soft patterns belong to the complaint lexicon only", field, lang)
			}
		}
		set, err := compilePhrases(field+".phrases", tf.Phrases, zh, cache)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(set.match) == 0 {
			add("%s.phrases: no match patterns", field)
		}
		r.phrases[kind] = set
	}
	set, err := compilePhrases("complaint", f.Complaint, zh, cache)
	if err != nil {
		errs = append(errs, err)
	} else if len(set.match) == 0 {
		add("complaint: no match patterns")
	}
	r.complaint = set
	for _, lang := range slices.Sorted(maps.Keys(f.Questions)) {
		if len(f.Questions[lang].Soft) > 0 {
			add("questions.%s.soft: soft patterns belong to the complaint lexicon only", lang)
		}
	}
	if r.questions, err = compilePhrases("questions", f.Questions, zh, cache); err != nil {
		errs = append(errs, err)
	}
	for _, lang := range slices.Sorted(maps.Keys(f.Praise)) {
		if len(f.Praise[lang].Soft) > 0 {
			add("praise.%s.soft: soft patterns belong to the complaint lexicon only", lang)
		}
	}
	if r.praise, err = compilePhrases("praise", f.Praise, zh, cache); err != nil {
		errs = append(errs, err)
	}
	if r.complaint != nil {
		// Soft words count only in a message that is not a neutral
		// question (Analyze); the exclusions are the lexicon's own.
		r.complaintSoft = &phraseSet{match: r.complaint.soft, exclude: r.complaint.exclude}
	}
	if r.typos, err = newTypos("typos", f.Typos); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	r.indexLiterals()
	return r, nil
}

// indexLiterals registers every pattern's prefilter literals in one index
// and numbers the patterns in the phrase index.
func (r *Rules) indexLiterals() {
	r.lits = newLiteralIndex()
	sets := []*phraseSet{r.complaint, r.complaintSoft, r.questions, r.praise}
	for _, kind := range contentKinds() {
		sets = append(sets, r.phrases[kind])
	}
	r.phraseIndex = &phraseIndex{}
	numbered := map[*phrase]bool{} // complaintSoft shares the complaint lexicon's lists
	for _, s := range sets {
		for _, list := range [][]phrase{s.match, s.exclude, s.soft} {
			if len(list) == 0 || numbered[&list[0]] {
				continue
			}
			numbered[&list[0]] = true
			for i := range list {
				list[i].ids = r.lits.add(list[i].pre)
				r.phraseIndex.add(&list[i]) // a list's phrases numbered in a row
			}
		}
	}
}

func buildRoute(field string, f routeFile) (Route, error) {
	var errs []error
	rt := Route{Tier: f.Tier, Priority: f.Priority, Investigate: f.Investigate}
	if f.Tier != "L2" && f.Tier != "L3" {
		errs = append(errs, fmt.Errorf("%s.tier: %q is not L2 or L3", field, f.Tier))
	}
	if !slices.Contains([]string{"P1", "P2", "P3", "P4"}, f.Priority) {
		errs = append(errs, fmt.Errorf("%s.priority: %q is not one of P1, P2, P3, P4", field, f.Priority))
	}
	for i, n := range f.Notify {
		if !notifyName.MatchString(n) {
			errs = append(errs, fmt.Errorf("%s.notify[%d]: %q is not a lower-case party name like lead, legal, pr", field, i, n))
		}
	}
	rt.Notify = append([]string(nil), f.Notify...)
	if f.FirstResponse != "" {
		d, err := time.ParseDuration(f.FirstResponse)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s.first_response: %q is not a positive duration (write e.g. 5m)", field, f.FirstResponse))
		}
		rt.FirstResponse = d
	}
	return rt, errors.Join(errs...)
}

// compilePhrases compiles the per-language lists of one trigger (or of the
// complaint lexicon) into one set: all languages apply to every message.
func compilePhrases(field string, langs map[string]phraseListFile, zh *knowledge.Converter, cache *patternCache) (*phraseSet, error) {
	var errs []error
	set := &phraseSet{}
	for _, lang := range slices.Sorted(maps.Keys(langs)) {
		if !slices.Contains(phraseLangs, lang) {
			errs = append(errs, fmt.Errorf("%s.%s: unknown language (use en, zh-TW, zh-CN)", field, lang))
		}
	}
	for _, lang := range phraseLangs {
		list, ok := langs[lang]
		if !ok {
			continue
		}
		compile := func(part string, pats []string) []phrase {
			var out []phrase
			for i, p := range pats {
				where := fmt.Sprintf("%s.%s.%s[%d]", field, lang, part, i)
				if strings.TrimSpace(p) == "" {
					errs = append(errs, fmt.Errorf("%s: empty pattern", where))
					continue
				}
				c, err := cache.compile(p, lang == "zh-CN", zh)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: pattern %q does not compile: %w", where, p, err))
					continue
				}
				if c.re.MatchString("") {
					errs = append(errs, fmt.Errorf("%s: pattern %q matches empty text", where, p))
					continue
				}
				out = append(out, phrase{re: c.re, pre: c.pre, source: p, lang: lang})
				// A Simplified message is converted with s2twp, which
				// rewrites some words as Taiwan writes them (皮肤 → 面板,
				// 视频 → 影片, 回复 → 回複): a Traditional pattern is
				// also matched as the conversion would write it.
				if lang == "zh-TW" && zh != nil && hasHan(p) {
					// Only rune for rune: a Traditional message whose
					// conversion changes its length is matched as written
					// too (rewrites), with its own words as evidence.
					if rt := cache.asConverted(p, zh); rt != p && utf8.RuneCountInString(rt) == utf8.RuneCountInString(p) {
						if c2, err := cache.compile(rt, false, zh); err == nil && !c2.re.MatchString("") {
							out = append(out, phrase{re: c2.re, pre: c2.pre, source: p, lang: lang})
						}
					}
				}
			}
			return out
		}
		set.match = append(set.match, compile("match", list.Match)...)
		set.exclude = append(set.exclude, compile("exclude", list.Exclude)...)
		set.soft = append(set.soft, compile("soft", list.Soft)...)
	}
	return set, errors.Join(errs...)
}

// patternCache shares compiled patterns between loads of rules files that
// repeat them (the tests parse edited copies of default.yaml some twenty
// times; under -race each compile of its ~1,000 patterns took 0.4 s). A
// compiled pattern and its prefilter are immutable, and a regexp is safe for
// concurrent use, so loads may share them. A cache serves one converter
// (zh-CN patterns are converted with it). The nil cache compiles every
// pattern.
type patternCache struct {
	mu sync.Mutex
	m  map[patternKey]compiledPattern
	// converted holds each zh-TW pattern as the Simplified→Traditional
	// conversion writes it (two OpenCC passes per pattern: under -race most
	// of a load's time once the regexps are cached).
	converted map[string]string
	// kindModel is the trigger model, parsed once for every load that
	// shares the cache.
	kindModel func() (*kindModel, error)
}

// asConverted returns the Traditional pattern p as a Simplified message
// converted to Traditional would write it (ToTraditional of ToSimplified),
// from the cache when c has it.
func (c *patternCache) asConverted(p string, zh *knowledge.Converter) string {
	if c != nil {
		c.mu.Lock()
		got, ok := c.converted[p]
		c.mu.Unlock()
		if ok {
			return got
		}
	}
	rt := zh.ToTraditional(zh.ToSimplified(p))
	if c != nil {
		c.mu.Lock()
		if c.converted == nil {
			c.converted = map[string]string{}
		}
		c.converted[p] = rt
		c.mu.Unlock()
	}
	return rt
}

type patternKey struct {
	source     string
	simplified bool // a zh-CN pattern, converted to Traditional
}

type compiledPattern struct {
	re  *regexp.Regexp
	pre prefilter
}

// compile compiles pattern p case-insensitively, converted to Traditional
// first when simplified, with its prefilter. Failures are not cached.
func (c *patternCache) compile(p string, simplified bool, zh *knowledge.Converter) (compiledPattern, error) {
	key := patternKey{p, simplified}
	if c != nil {
		c.mu.Lock()
		got, ok := c.m[key]
		c.mu.Unlock()
		if ok {
			return got, nil
		}
	}
	src := p
	if simplified {
		src = zh.ToTraditional(p)
	}
	re, err := regexp.Compile("(?i)" + src)
	if err != nil {
		return compiledPattern{}, err
	}
	got := compiledPattern{re: re, pre: newPrefilter("(?i)" + src)}
	if c != nil {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[patternKey]compiledPattern{}
		}
		c.m[key] = got
		c.mu.Unlock()
	}
	return got, nil
}
