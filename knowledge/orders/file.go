package orders

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
)

// DemoFile is the name of the demo orders file inside DemoFS.
const DemoFile = "orders.json"

//go:embed demo/orders.json
var demoFiles embed.FS

// DemoFS returns the embedded demo orders (orders.json): the fictional shop
// 暖暖選物 (Warm Living Select). See docs/order-backend.md.
func DemoFS() fs.FS {
	sub, err := fs.Sub(demoFiles, "demo")
	if err != nil {
		panic(err) // "demo" is a valid constant path; fs.Sub cannot fail
	}
	return sub
}

// FileBackend serves orders from a JSON file loaded once:
//
//	{"orders": [{"number": "WL20261101", "status": "in_transit", ...}]}
//
// It is read-only and safe for concurrent use.
type FileBackend struct {
	orders map[string]Order // by canonical number
}

type orderFile struct {
	Orders []Order `json:"orders"`
}

// NewFileBackend loads and validates the orders file name in fsys. Unknown
// fields, duplicate numbers (case-insensitive), unknown statuses, empty item
// names and non-positive quantities are errors; all of them are reported.
func NewFileBackend(fsys fs.FS, name string) (*FileBackend, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read orders file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f orderFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse orders file %s: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parse orders file %s: trailing data after the JSON object", name)
	}
	if f.Orders == nil {
		return nil, fmt.Errorf("parse orders file %s: missing \"orders\" array", name)
	}
	b := &FileBackend{orders: make(map[string]Order, len(f.Orders))}
	var errs []error
	for i, o := range f.Orders {
		if err := validate(o); err != nil {
			errs = append(errs, fmt.Errorf("order %d (%s): %w", i, Mask(o.Number), err))
			continue
		}
		key := canonicalNumber(o.Number)
		if _, dup := b.orders[key]; dup {
			errs = append(errs, fmt.Errorf("order %d (%s): duplicate number", i, Mask(o.Number)))
			continue
		}
		o.Number = key
		b.orders[key] = o
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("invalid orders file %s: %w", name, err)
	}
	return b, nil
}

// Lookup returns the order with this number (case-insensitive) or an error
// wrapping ErrNotFound.
func (b *FileBackend) Lookup(ctx context.Context, number string) (Order, error) {
	if err := ctx.Err(); err != nil {
		return Order{}, fmt.Errorf("lookup order %s: %w", Mask(number), err)
	}
	o, ok := b.orders[canonicalNumber(number)]
	if !ok {
		return Order{}, fmt.Errorf("lookup order %s: %w", Mask(number), ErrNotFound)
	}
	return clone(o), nil
}

// Len is the number of orders loaded.
func (b *FileBackend) Len() int { return len(b.orders) }

var _ Backend = (*FileBackend)(nil)
