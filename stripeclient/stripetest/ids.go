package stripetest

// IDs come from a splitmix64 stream indexed by a counter, so a fake driven
// by one goroutine produces the same IDs for the same seed.

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newID returns prefix followed by n random base-62 characters.
func (f *Fake) newID(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	x := splitmix64(f.idSeed() ^ (f.idCounter.Add(1) * 0xd1b54a32d192ed03))
	bits := 64
	for i := len(prefix); i < len(b); i++ {
		if bits < 6 {
			x = splitmix64(x)
			bits = 64
		}
		// 6 bits give 0..63; folding 62 and 63 back keeps the alphabet
		// while a tiny bias is harmless for test IDs.
		b[i] = idAlphabet[(x&63)%62]
		x >>= 6
		bits -= 6
	}
	return string(b)
}

// Stripe's IDs carry 24 characters after the prefix; secrets and request
// IDs are a little different, and none of this is load-bearing.
func (f *Fake) intentID() string   { return f.newID("pi_", 24) }
func (f *Fake) methodID() string   { return f.newID("pm_", 24) }
func (f *Fake) chargeID() string   { return f.newID("ch_", 24) }
func (f *Fake) customerID() string { return f.newID("cus_", 14) }
func (f *Fake) tokenID() string    { return f.newID("cvctok_", 24) }
func (f *Fake) requestID() string  { return f.newID("req_", 14) }
func (f *Fake) secret(intentID string) string {
	return f.newID(intentID+"_secret_", 25)
}
