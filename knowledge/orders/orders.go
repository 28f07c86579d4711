package orders

import (
	"context"
	"errors"
	"fmt"
	"maps"
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

// Names are optional localised texts of a name, by language ("en",
// "zh-TW", "zh-CN"). A missing language falls back to the plain field.
type Names map[string]string

// Languages Names may hold.
var NameLangs = []string{"en", "zh-TW", "zh-CN"}

// In returns the name in lang, or "" when the backend gave none.
func (n Names) In(lang string) string { return strings.TrimSpace(n[lang]) }

// Item is one line of an order.
type Item struct {
	Name     string `json:"name"`
	Names    Names  `json:"names,omitempty"` // optional localised names
	Quantity int    `json:"quantity"`
}

// Pickup types (the backend contract's vocabulary for store pickup).
const (
	PickupSevenEleven = "seven_eleven" // 7-ELEVEN
	PickupFamilyMart  = "familymart"   // FamilyMart 全家
	PickupHiLife      = "hilife"       // Hi-Life 萊爾富
	PickupOKMart      = "ok_mart"      // OK mart
	PickupShop        = "shop"         // the shop's own store
)

// PickupTypes lists every pickup type a backend may report.
var PickupTypes = []string{PickupSevenEleven, PickupFamilyMart, PickupHiLife, PickupOKMart, PickupShop}

// Pickup is where and until when a store-pickup order waits.
type Pickup struct {
	Type       string    `json:"type"`                  // one of PickupTypes
	Store      string    `json:"store,omitempty"`       // store name as the shop writes it
	StoreNames Names     `json:"store_names,omitempty"` // optional localised store names
	Deadline   time.Time `json:"deadline,omitzero"`     // last moment to pick the parcel up
}

// Order is what a backend knows about an order.
type Order struct {
	Number         string    `json:"number"`
	LineUserID     string    `json:"line_user_id,omitempty"` // linked LINE account, may be empty
	Phone          string    `json:"phone,omitempty"`        // full phone; only its last 4 digits are ever compared
	Status         string    `json:"status"`
	Carrier        string    `json:"carrier,omitempty"`
	CarrierNames   Names     `json:"carrier_names,omitempty"` // optional localised carrier names
	Pickup         *Pickup   `json:"pickup,omitempty"`        // store pickup, when the order is collected at a store
	TrackingNumber string    `json:"tracking_number,omitempty"`
	ETA            time.Time `json:"eta,omitzero"`
	PlacedAt       time.Time `json:"placed_at,omitzero"`
	Items          []Item    `json:"items,omitempty"`
	Total          int       `json:"total,omitempty"` // NT$
	// RefundedAt is when the order's payment was refunded (a returned or
	// cancelled order), zero when it was not or the backend does not say.
	RefundedAt time.Time `json:"refunded_at,omitzero"`
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
	errs = append(errs, validNames("carrier_names", o.CarrierNames)...)
	for i, it := range o.Items {
		errs = append(errs, validNames(fmt.Sprintf("item %d: names", i), it.Names)...)
	}
	if p := o.Pickup; p != nil {
		if !slices.Contains(PickupTypes, p.Type) {
			errs = append(errs, fmt.Errorf("pickup: unknown type %q", p.Type))
		}
		errs = append(errs, validNames("pickup: store_names", p.StoreNames)...)
	}
	if o.Total < 0 {
		errs = append(errs, fmt.Errorf("negative total %d", o.Total))
	}
	return errors.Join(errs...)
}

func validNames(field string, n Names) []error {
	var errs []error
	for l := range n {
		if !slices.Contains(NameLangs, l) {
			errs = append(errs, fmt.Errorf("%s: unknown language %q", field, l))
		}
	}
	return errs
}

// clone returns o with its own copy of Items, names and pickup, so callers
// cannot mutate a backend's data.
func clone(o Order) Order {
	o.Items = slices.Clone(o.Items)
	for i := range o.Items {
		o.Items[i].Names = maps.Clone(o.Items[i].Names)
	}
	o.CarrierNames = maps.Clone(o.CarrierNames)
	if o.Pickup != nil {
		p := *o.Pickup
		p.StoreNames = maps.Clone(p.StoreNames)
		o.Pickup = &p
	}
	return o
}
