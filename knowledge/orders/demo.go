package orders

import "time"

// DemoAnchor is the moment the demo orders describe: Monday 2026-11-23
// 10:00 in Taipei. WL20261101 is on its way with an ETA of the next day,
// WL20261103 was placed the evening before, and so on.
var DemoAnchor = time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("Asia/Taipei", 8*60*60))

// NewDemoBackend is NewFileBackend(DemoFS(), DemoFile) with the orders'
// dates moved by whole days so that DemoAnchor's day is now's day (Taipei
// dates): the demo always tells the same story (an order on its way, one
// waiting at the store, none late) whatever the date it runs on. Files
// given to NewFileBackend are served with the dates they hold.
func NewDemoBackend(now time.Time) (*FileBackend, error) {
	b, err := NewFileBackend(DemoFS(), DemoFile)
	if err != nil {
		return nil, err
	}
	b.shift(demoShift(now))
	return b, nil
}

// demoShift is the whole days from DemoAnchor's date to now's date in
// Taipei (which keeps no daylight saving time, so a day is 24 hours).
func demoShift(now time.Time) time.Duration {
	loc := DemoAnchor.Location()
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	return day(now).Sub(day(DemoAnchor))
}

// shift moves every date of every order by d.
func (b *FileBackend) shift(d time.Duration) {
	if d == 0 {
		return
	}
	move := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.Add(d)
		}
	}
	for k, o := range b.orders {
		move(&o.ETA)
		move(&o.PlacedAt)
		move(&o.RefundedAt)
		if o.Pickup != nil {
			p := *o.Pickup
			move(&p.Deadline)
			o.Pickup = &p
		}
		b.orders[k] = o
	}
}
