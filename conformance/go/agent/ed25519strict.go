package agent

import (
	"crypto/ed25519"
	"math/big"
	"sync"
)

// Strict Ed25519 (see lib/node/ed25519-rules.ts): the rules crypto/ed25519 does not apply by itself are checked
// here with math/big (key decoding, small-order and mixed-order keys, small-order R); the verification equation is
// crypto/ed25519's (cofactorless, R compared byte for byte, S < L refused).

var (
	fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	orderL = func() *big.Int {
		l, _ := new(big.Int).SetString("27742317777372353535851937790883648493", 10)
		return l.Add(l, new(big.Int).Lsh(big.NewInt(1), 252))
	}()
	curveD = func() *big.Int {
		d := new(big.Int).Mul(big.NewInt(-121665), new(big.Int).ModInverse(big.NewInt(121666), fieldP))
		return d.Mod(d, fieldP)
	}()
	sqrtM1 = new(big.Int).Exp(big.NewInt(2), new(big.Int).Div(new(big.Int).Sub(fieldP, big.NewInt(1)), big.NewInt(4)), fieldP)
	// y of the order-8 points, from the canonical encoding (little-endian hex).
	order8Y      = leToInt(hexBytes("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"))
	smallOrderRs = smallOrderEncodings()
)

type point struct{ x, y *big.Int }

func identity() point { return point{big.NewInt(0), big.NewInt(1)} }

func mod(a *big.Int) *big.Int { return a.Mod(a, fieldP) }

// add is the complete addition law of the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 (affine).
func add(a, b point) point {
	x1y2 := new(big.Int).Mul(a.x, b.y)
	y1x2 := new(big.Int).Mul(a.y, b.x)
	x1x2 := new(big.Int).Mul(a.x, b.x)
	y1y2 := new(big.Int).Mul(a.y, b.y)
	t := mod(new(big.Int).Mul(curveD, mod(new(big.Int).Mul(x1x2, y1y2))))
	xDen := mod(new(big.Int).Add(big.NewInt(1), t))
	yDen := mod(new(big.Int).Sub(big.NewInt(1), t))
	x := mod(new(big.Int).Mul(mod(new(big.Int).Add(x1y2, y1x2)), new(big.Int).ModInverse(xDen, fieldP)))
	y := mod(new(big.Int).Mul(mod(new(big.Int).Add(y1y2, x1x2)), new(big.Int).ModInverse(yDen, fieldP)))
	return point{x, y}
}

func mul(k *big.Int, p point) point {
	r := identity()
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = add(r, r)
		if k.Bit(i) == 1 {
			r = add(r, p)
		}
	}
	return r
}

func isIdentity(p point) bool { return p.x.Sign() == 0 && p.y.Cmp(big.NewInt(1)) == 0 }

// decodePoint is RFC 8032's strict decoding: y < p, x = 0 with the sign bit refused, y must give a square.
func decodePoint(b []byte) (point, bool) {
	if len(b) != 32 {
		return point{}, false
	}
	c := append([]byte(nil), b...)
	sign := c[31] >> 7
	c[31] &= 0x7f
	y := leToInt(c)
	if y.Cmp(fieldP) >= 0 {
		return point{}, false
	}
	y2 := mod(new(big.Int).Mul(y, y))
	u := mod(new(big.Int).Sub(y2, big.NewInt(1)))
	v := mod(new(big.Int).Add(new(big.Int).Mul(curveD, y2), big.NewInt(1)))
	x2 := mod(new(big.Int).Mul(u, new(big.Int).ModInverse(v, fieldP)))
	x := new(big.Int).Exp(x2, new(big.Int).Div(new(big.Int).Add(fieldP, big.NewInt(3)), big.NewInt(8)), fieldP)
	if mod(new(big.Int).Mul(x, x)).Cmp(x2) != 0 {
		x = mod(x.Mul(x, sqrtM1))
	}
	if mod(new(big.Int).Mul(x, x)).Cmp(x2) != 0 {
		return point{}, false
	}
	if x.Sign() == 0 && sign == 1 {
		return point{}, false
	}
	if uint8(x.Bit(0)) != sign {
		x = new(big.Int).Sub(fieldP, x)
	}
	return point{x, y}, true
}

var keyVerdicts sync.Map // string(key bytes) -> string ("" when usable)

// publicKeyRefusal is "" for a usable key, else public-key-length, -encoding, -small-order or -mixed-order.
func publicKeyRefusal(key []byte) string {
	if len(key) != 32 {
		return "public-key-length"
	}
	if v, ok := keyVerdicts.Load(string(key)); ok {
		return v.(string)
	}
	verdict := ""
	if p, ok := decodePoint(key); !ok {
		verdict = "public-key-encoding"
	} else if isIdentity(mul(big.NewInt(8), p)) {
		verdict = "public-key-small-order"
	} else if !isIdentity(mul(orderL, p)) {
		verdict = "public-key-mixed-order"
	}
	keyVerdicts.Store(string(key), verdict)
	return verdict
}

// strictVerify applies every rule: signature length, S < L, R not a small-order encoding, a usable key, and the
// equation. Returns "valid" or the refusal.
func strictVerify(key, message, sig []byte) string {
	if len(sig) != 64 {
		return "signature-length"
	}
	if leToInt(sig[32:]).Cmp(orderL) >= 0 {
		return "s-out-of-range"
	}
	for _, e := range smallOrderRs {
		if string(e) == string(sig[:32]) {
			return "r-small-order"
		}
	}
	if r := publicKeyRefusal(key); r != "" {
		return r
	}
	if !ed25519.Verify(ed25519.PublicKey(key), message, sig) {
		return "equation"
	}
	return "valid"
}

func smallOrderEncodings() [][]byte {
	var out [][]byte
	push := func(y *big.Int, sign bool) {
		b := intToLE32(y)
		if sign {
			b[31] |= 0x80
		}
		out = append(out, b)
	}
	pm1 := new(big.Int).Sub(fieldP, big.NewInt(1))
	push(big.NewInt(1), false)
	push(pm1, false)
	for _, y := range []*big.Int{big.NewInt(0), order8Y, new(big.Int).Sub(fieldP, order8Y)} {
		push(y, false)
		push(y, true)
	}
	push(big.NewInt(1), true)
	push(pm1, true)
	for _, y := range []*big.Int{fieldP, new(big.Int).Add(fieldP, big.NewInt(1))} {
		push(y, false)
		push(y, true)
	}
	return out
}

func leToInt(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

func intToLE32(n *big.Int) []byte {
	be := n.FillBytes(make([]byte, 32))
	le := make([]byte, 32)
	for i := range be {
		le[31-i] = be[i]
	}
	return le
}

func hexBytes(h string) []byte {
	out := make([]byte, len(h)/2)
	for i := range out {
		out[i] = byte(hexVal(h[2*i])<<4 | hexVal(h[2*i+1]))
	}
	return out
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}
