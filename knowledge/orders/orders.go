package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// Statuses lists every status a backend may report, in lifecycle order.
var Statuses = []string{
	StatusPending, StatusPaid, StatusProcessing, StatusShipped, StatusInTransit,
	StatusReadyForPickup, StatusDelivered, StatusCancelled, StatusReturned,
}

// ValidStatus reports whether s is one of Statuses.
func ValidStatus(s string) bool { return slices.Contains(Statuses, s) }

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
	ETA            time.Time `json:"eta,omitzero"`
	PlacedAt       time.Time `json:"placed_at,omitzero"`
	Items          []Item    `json:"items,omitempty"`
	Total          int       `json:"total,omitempty"` // NT$
}

// Errors of a lookup.
var (
	ErrNotFound    = errors.New("order not found")
	ErrUnavailable = errors.New("order backend unavailable")
)

// Backend looks orders up. Lookup returns an error wrapping ErrNotFound when
// the order does not exist, ErrUnavailable when the backend cannot answer
// right now, and some other error for a broken response or configuration.
type Backend interface {
	Lookup(ctx context.Context, number string) (Order, error)
}

// canonicalNumber is the form orders are stored and compared in.
func canonicalNumber(number string) string {
	return strings.ToUpper(strings.TrimSpace(number))
}

// validate checks what every backend must guarantee about an order. It never
// puts the full order number in the error.
func validate(o Order) error {
	var errs []error
	if strings.TrimSpace(o.Number) == "" {
		errs = append(errs, errors.New("empty number"))
	}
	if !ValidStatus(o.Status) {
		errs = append(errs, fmt.Errorf("unknown status %q", o.Status))
	}
	for i, it := range o.Items {
		if strings.TrimSpace(it.Name) == "" {
			errs = append(errs, fmt.Errorf("item %d: empty name", i))
		}
		if it.Quantity < 1 {
			errs = append(errs, fmt.Errorf("item %d: quantity %d", i, it.Quantity))
		}
	}
	if o.Total < 0 {
		errs = append(errs, fmt.Errorf("negative total %d", o.Total))
	}
	return errors.Join(errs...)
}

// clone returns o with its own copy of Items, so callers cannot mutate a
// backend's data.
func clone(o Order) Order {
	o.Items = slices.Clone(o.Items)
	return o
}
