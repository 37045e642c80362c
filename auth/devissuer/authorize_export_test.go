package devissuer

import "time"

// SetClock lets tests move the issuer's time, to expire codes.
func (i *Issuer) SetClock(now func() time.Time) { i.now = now }
