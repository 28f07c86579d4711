package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// The languages warmline speaks, in preference order for fallbacks.
const (
	ZhTW = "zh-TW"
	ZhCN = "zh-CN"
	EN   = "en"
)

// Supported lists the languages every message must exist in.
var Supported = []string{ZhTW, ZhCN, EN}

// IsSupported reports whether lang is one of Supported.
func IsSupported(lang string) bool {
	for _, l := range Supported {
		if l == lang {
			return true
		}
	}
	return false
}

// Translator renders messages by ID in one of the supported languages.
// It is safe for concurrent use.
type Translator struct {
	bundle *i18n.Bundle
	locs   map[string]*i18n.Localizer
	ids    map[string]map[string]bool // lang -> message id -> present
}

// New loads the embedded message files.
func New() (*Translator, error) {
	return NewFS(files)
}

// NewFS loads message files (*.toml) from fsys; used by tests with broken files.
func NewFS(fsys fs.FS) (*Translator, error) {
	b := i18n.NewBundle(language.MustParse(ZhTW))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	t := &Translator{bundle: b, locs: map[string]*i18n.Localizer{}, ids: map[string]map[string]bool{}}
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("list message files: %w", err)
	}
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		mf, err := b.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		lang := mf.Tag.String()
		if t.ids[lang] == nil {
			t.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if t.ids[lang][m.ID] {
				return nil, fmt.Errorf("parse %s: message %q defined twice for %s", name, m.ID, lang)
			}
			t.ids[lang][m.ID] = true
		}
	}
	for _, l := range Supported {
		t.locs[l] = i18n.NewLocalizer(b, l)
	}
	return t, nil
}

// T renders message id in lang with template data (may be nil).
// An unsupported lang falls back to zh-TW. A missing message renders as
// "[id]" so it is visible in tests and the UI instead of failing silently;
// TestEveryMessageInEveryLanguage keeps that from shipping.
func (t *Translator) T(lang, id string, data map[string]any) string {
	return t.render(lang, id, nil, data)
}

// N renders a message with plural forms chosen by count; {{.Count}} is set.
func (t *Translator) N(lang, id string, count int, data map[string]any) string {
	d := map[string]any{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	return t.render(lang, id, count, d)
}

func (t *Translator) render(lang, id string, count any, data map[string]any) string {
	loc, ok := t.locs[lang]
	if !ok {
		loc = t.locs[ZhTW]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil || s == "" {
		return "[" + id + "]"
	}
	return s
}

// Has reports whether message id exists in lang.
func (t *Translator) Has(lang, id string) bool { return t.ids[lang][id] }

// IDs returns the message ids defined for lang.
func (t *Translator) IDs(lang string) []string {
	out := make([]string, 0, len(t.ids[lang]))
	for id := range t.ids[lang] {
		out = append(out, id)
	}
	return out
}

// Normalize maps a BCP 47 tag as LINE sends it (zh-Hant-TW, zh-HK, zh-Hans,
// en-US, ja, …) to a supported language, or "" when it says nothing useful.
func Normalize(tag string) string {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	switch {
	case t == "":
		return ""
	case strings.HasPrefix(t, "zh-hans"), t == "zh-cn", t == "zh-sg", strings.HasPrefix(t, "zh-cn"):
		return ZhCN
	case strings.HasPrefix(t, "zh"):
		return ZhTW
	case t == "en" || strings.HasPrefix(t, "en-"):
		return EN
	}
	return ""
}
