// Package orders owns order lookup for the order-status flow: the Backend
// interface with an HTTP JSON implementation and a file-backed one (used by
// the demo), finding order numbers in free text, and the ownership checks
// that decide whether an order may be shown to a LINE user.
package orders
