package vdaftest

import (
	"encoding/binary"
	"math/bits"
)

// turboShake128 is TurboSHAKE128 (RFC 9861): the Keccak sponge with rate
// 168 bytes over the last 12 rounds of Keccak-f[1600] (FIPS 202), with
// domain byte d. circl keeps its copy internal, and only forged test
// shares need it here, so this small, slow version is enough.
func turboShake128(msg []byte, d byte, outLen int) []byte {
	const rate = 168
	var st [25]uint64

	padded := append(append([]byte(nil), msg...), d)
	for len(padded)%rate != 0 {
		padded = append(padded, 0)
	}
	padded[len(padded)-1] ^= 0x80
	for off := 0; off < len(padded); off += rate {
		for i := 0; i < rate/8; i++ {
			st[i] ^= binary.LittleEndian.Uint64(padded[off+8*i:])
		}
		keccakP12(&st)
	}

	out := make([]byte, 0, outLen+rate)
	for len(out) < outLen {
		for i := 0; i < rate/8; i++ {
			out = binary.LittleEndian.AppendUint64(out, st[i])
		}
		keccakP12(&st)
	}
	return out[:outLen]
}

var roundConstants = [24]uint64{
	0x0000000000000001, 0x0000000000008082, 0x800000000000808A,
	0x8000000080008000, 0x000000000000808B, 0x0000000080000001,
	0x8000000080008081, 0x8000000000008009, 0x000000000000008A,
	0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
	0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
	0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
	0x000000000000800A, 0x800000008000000A, 0x8000000080008081,
	0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
}

// rotations[x+5y] is the rho offset of lane (x, y).
var rotations = [25]int{
	0, 1, 62, 28, 27,
	36, 44, 6, 55, 20,
	3, 10, 43, 25, 39,
	41, 45, 15, 21, 8,
	18, 2, 61, 56, 14,
}

// keccakP12 is Keccak-p[1600, 12]: rounds 12 to 23 of Keccak-f[1600].
func keccakP12(a *[25]uint64) {
	for r := 12; r < 24; r++ {
		var c, d [5]uint64
		for x := 0; x < 5; x++ {
			c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
		}
		for x := 0; x < 5; x++ {
			d[x] = c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
		}
		var b [25]uint64
		for y := 0; y < 5; y++ {
			for x := 0; x < 5; x++ {
				i := x + 5*y
				nx, ny := y, (2*x+3*y)%5
				b[nx+5*ny] = bits.RotateLeft64(a[i]^d[x], rotations[i])
			}
		}
		for y := 0; y < 5; y++ {
			for x := 0; x < 5; x++ {
				a[x+5*y] = b[x+5*y] ^
					(^b[(x+1)%5+5*y] & b[(x+2)%5+5*y])
			}
		}
		a[0] ^= roundConstants[r]
	}
}
