// Package locales owns every user-facing string of warmline: go-i18n message
// files (TOML, one set per language: en, zh-TW, zh-CN) embedded in the binary,
// and the Translator that renders them. Files are named <area>.<lang>.toml so
// each area (bot, handoff, inbox) keeps its messages together.
package locales
