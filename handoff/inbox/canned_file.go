package inbox

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/locales"
)

// CannedReplies are reply templates a lead keeps in a YAML file
// (WARMLINE_CANNED_FILE), per customer language and SOP section; a
// language the file leaves out keeps the built-in SOP templates (locales).
// Reload reads the file again and keeps the previous version when the new
// one is invalid. Safe for concurrent use.
//
//	zh-TW:
//	  greeting:
//	    - label: 問候
//	      text: "{Customer} 您好，我是{Agent}，謝謝您的耐心等候。"
//	  action:
//	    - label: 已催貨
//	      text: "關於{About}，我已請物流優先處理，{Due} 前會再回覆您。"
//	en:
//	  close:
//	    - label: Anything else
//	      text: "Is there anything else I can help with? (case {CaseID})"
//
// Sections: greeting, acknowledge, action, next, close. Placeholders, filled
// from the case: {Customer} {CaseID} {Topic} {About} {Agent} {Due} (the next
// update) {Resolve} (when the case is to be settled); any
// other {word} is refused, so a typo does not reach a customer.
type CannedReplies struct {
	path string
	cur  atomic.Pointer[cannedSet]
}

// cannedSet is one version of the file: language → section → templates.
type cannedSet map[string]map[string][]cannedTemplate

type cannedTemplate struct {
	Label string `yaml:"label"`
	Text  string `yaml:"text"`
}

// cannedPlaceholders are the {words} a template may use.
var cannedPlaceholders = []string{"Customer", "CaseID", "Topic", "About", "Agent", "Due", "Resolve"}

var placeholder = regexp.MustCompile(`\{([A-Za-z_]+)\}`)

// LoadCanned reads the canned replies file at path.
func LoadCanned(path string) (*CannedReplies, error) {
	c := &CannedReplies{path: path}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload reads the file again; on an error the previous templates stay.
func (c *CannedReplies) Reload() error {
	buf, err := os.ReadFile(c.path)
	if err != nil {
		return fmt.Errorf("canned replies: %w", err)
	}
	set, err := parseCanned(buf)
	if err != nil {
		return fmt.Errorf("canned replies %s: %w", c.path, err)
	}
	c.cur.Store(&set)
	return nil
}

// Langs are the languages the file has templates for, sorted.
func (c *CannedReplies) Langs() []string {
	var out []string
	for l := range *c.cur.Load() {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

func parseCanned(buf []byte) (cannedSet, error) {
	var set cannedSet
	dec := yaml.NewDecoder(strings.NewReader(string(buf)))
	dec.KnownFields(true)
	if err := dec.Decode(&set); err != nil {
		return nil, err
	}
	var errs []error
	for lang, sections := range set {
		if !locales.IsSupported(lang) {
			errs = append(errs, fmt.Errorf("language %q: want %s", lang, strings.Join(locales.Supported, ", ")))
		}
		for sec, items := range sections {
			if !slices.Contains(cannedSections, sec) {
				errs = append(errs, fmt.Errorf("%s: section %q: want %s", lang, sec, strings.Join(cannedSections, ", ")))
			}
			for i, it := range items {
				where := lang + " " + sec + " #" + strconv.Itoa(i+1)
				if strings.TrimSpace(it.Label) == "" || strings.TrimSpace(it.Text) == "" {
					errs = append(errs, fmt.Errorf("%s: label and text are required", where))
				}
				for _, m := range placeholder.FindAllStringSubmatch(it.Text, -1) {
					if !slices.Contains(cannedPlaceholders, m[1]) {
						errs = append(errs, fmt.Errorf("%s: unknown placeholder {%s}: want one of {%s}", where, m[1], strings.Join(cannedPlaceholders, "} {")))
					}
				}
			}
		}
	}
	return set, errors.Join(errs...)
}

// templates returns lang's templates of section and whether the file has
// lang at all.
func (c *CannedReplies) templates(lang, section string) ([]cannedTemplate, bool) {
	set := *c.cur.Load()
	sections, ok := set[lang]
	if !ok {
		return nil, false
	}
	return sections[section], true
}

// fill replaces the placeholders of text with the case's facts (data as
// cannedData makes it).
func fillCanned(text string, data map[string]any) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := data[m[1:len(m)-1]].(string); ok {
			return v
		}
		return m
	})
}

// DefaultCanned is the built-in SOP templates in the file's layout, every
// language, with {placeholders}: what a lead starts editing from.
func DefaultCanned(tr *locales.Translator) ([]byte, error) {
	data := map[string]any{}
	for _, p := range cannedPlaceholders {
		data[p] = "{" + p + "}"
	}
	var root yaml.Node
	root.Kind = yaml.MappingNode
	for _, lang := range locales.Supported {
		secs := &yaml.Node{Kind: yaml.MappingNode}
		for _, s := range cannedSections {
			var list []cannedTemplate
			for n := 1; ; n++ {
				id := "inbox_canned_" + s + "_" + strconv.Itoa(n)
				if !tr.Has(lang, id) {
					break
				}
				list = append(list, cannedTemplate{Label: tr.T(lang, id+"_label", nil), Text: tr.T(lang, id, data)})
			}
			var v yaml.Node
			if err := v.Encode(list); err != nil {
				return nil, err
			}
			secs.Content = append(secs.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: s}, &v)
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: lang}, secs)
	}
	body, err := yaml.Marshal(&root)
	if err != nil {
		return nil, err
	}
	head := "# warmline canned replies (WARMLINE_CANNED_FILE): per customer language and SOP section\n" +
		"# (greeting, acknowledge, action, next, close). Placeholders: {" + strings.Join(cannedPlaceholders, "} {") + "}.\n" +
		"# Saved changes apply at once; a language left out uses the built-in templates.\n"
	return append([]byte(head), body...), nil
}

// EnsureCanned writes DefaultCanned to path when no file is there yet, so a
// lead has the SOP templates to edit; it reports whether it wrote one.
func EnsureCanned(path string, tr *locales.Translator) (bool, error) {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	buf, err := DefaultCanned(tr)
	if err != nil {
		return false, fmt.Errorf("canned replies: %w", err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return false, fmt.Errorf("canned replies: %w", err)
	}
	return true, nil
}
