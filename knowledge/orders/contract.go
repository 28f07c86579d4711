package orders

// CONTRACT (written before the implementation so packages can be built in
// parallel). The owner replaces bodies marked "contract:" and may add API,
// but keeps these exported names and signatures.

import (
	"context"
	"errors"
	"io/fs"
	"time"
)

// Order statuses (the backend contract's vocabulary).
const (
	StatusPending        = "pending"
	StatusPaid           = "paid"
	StatusProcessing     = "processing"
	StatusShipped        = "shipped"
	StatusInTransit      = "in_transit"
	StatusReadyForPickup = "ready_for_pickup"
	StatusDelivered      = "delivered"
	StatusCancelled      = "cancelled"
	StatusReturned       = "returned"
)

// Item is one line of an order.
type Item struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// Order is what a backend knows about an order.
type Order struct {
	Number         string    `json:"number"`
	LineUserID     string    `json:"line_user_id,omitempty"` // linked LINE account, may be empty
	Phone          string    `json:"phone,omitempty"`        // full phone; only its last 4 digits are ever compared
	Status         string    `json:"status"`
	Carrier        string    `json:"carrier,omitempty"`
	TrackingNumber string    `json:"tracking_number,omitempty"`
	ETA            time.Time `json:"eta,omitempty"`
	PlacedAt       time.Time `json:"placed_at,omitempty"`
	Items          []Item    `json:"items,omitempty"`
	Total          int       `json:"total,omitempty"` // NT$
}

// Errors of a lookup.
var (
	ErrNotFound    = errors.New("order not found")
	ErrUnavailable = errors.New("order backend unavailable")
)

// Backend looks orders up.
type Backend interface {
	Lookup(ctx context.Context, number string) (Order, error)
}

// Extractor finds order numbers in free text.
type Extractor struct {
	// contract: implementation fields
}

// DefaultPattern is the demo shop's order-number format.
const DefaultPattern = `WL\d{8}`

// NewExtractor compiles a pattern (Go regexp) for order numbers.
func NewExtractor(pattern string) (*Extractor, error) {
	return nil, errors.New("contract: not implemented") // contract:
}

// Find returns the first order number in text (full-width digits and letters
// normalised, case-insensitive), or ok=false.
func (e *Extractor) Find(text string) (number string, ok bool) {
	return "", false // contract:
}

// OwnedBy reports whether the order is linked to this LINE user.
func OwnedBy(o Order, lineUserID string) bool {
	return false // contract:
}

// PhoneLast4Matches compares digits with the last 4 digits of the order's
// phone in constant time. False when the order has no phone.
func PhoneLast4Matches(o Order, digits string) bool {
	return false // contract:
}

// Mask shortens an order number for logs and briefs: "WL****5678".
func Mask(number string) string {
	return "" // contract:
}

// DemoFS returns the embedded demo orders (orders.json).
func DemoFS() fs.FS {
	return nil // contract:
}
