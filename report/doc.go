// Package report owns the support lead's quality figures and the dashboard
// that shows them: Compute reads the case ledger (closed cases and how each
// conversation ended) for a period and filters and returns a typed Report
// with the SOP's quality metrics next to their targets; Dashboard is the
// http.Handler of the dashboard page, its JSON API, a CSV of the figures
// and a printable weekly/monthly report, with its script and a vendored
// chart library (Chart.js, report/ui/vendor) embedded.
//
// The inbox mounts the Dashboard for leads only (it owns sign-in and
// roles); report knows nothing of sessions.
//
// Files: report.go (Report, Compute), targets.go, dashboard.go (the
// handler), ui/ (page, script, styles, vendor/).
package report
