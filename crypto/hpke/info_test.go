package hpke

import (
	"encoding/hex"
	"testing"
)

// TestInfoKnownAnswer pins Info byte for byte, as written out in its doc
// comment: collectors and aggregators built from different versions of
// this code must agree on it.
func TestInfoKnownAnswer(t *testing.T) {
	id := [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	got := Info(id, "b", "leader", [][]byte{{0xaa}, {}})
	const want = "" +
		"00000019" + // len(label) = 25
		"696e6665726d617267696e2f68706b652f73686172652f7631" +
		"00000010" + "000102030405060708090a0b0c0d0e0f" +
		"00000001" + "62" + // batch "b"
		"00000006" + "6c6561646572" + // role "leader"
		"00000002" + // two public shares
		"00000001" + "aa" +
		"00000000"
	if hex.EncodeToString(got) != want {
		t.Errorf("Info() = %x\nwant     %s", got, want)
	}
}

// TestInfoInjective checks inputs that plain concatenation would map to
// the same bytes: each pair must give different info strings.
func TestInfoInjective(t *testing.T) {
	type input struct {
		id     [16]byte
		batch  string
		role   string
		shares [][]byte
	}
	tests := []struct {
		name string
		a, b input
	}{
		{"batch/role split",
			input{batch: "ab", role: "c"},
			input{batch: "a", role: "bc"}},
		{"role moved into batch",
			input{batch: "leader", role: ""},
			input{batch: "", role: "leader"}},
		{"forged length prefix in batch",
			input{batch: "x\x00\x00\x00\x06leader", role: ""},
			input{batch: "x", role: "leader"}},
		{"role/share split",
			input{role: "helper", shares: [][]byte{{1}}},
			input{role: "helpe", shares: [][]byte{{'r', 1}}}},
		{"shares split",
			input{shares: [][]byte{[]byte("ab")}},
			input{shares: [][]byte{[]byte("a"), []byte("b")}}},
		{"empty share",
			input{shares: [][]byte{}},
			input{shares: [][]byte{{}}}},
		{"share order",
			input{shares: [][]byte{{1}, {2}}},
			input{shares: [][]byte{{2}, {1}}}},
		{"report id",
			input{id: [16]byte{15: 1}},
			input{id: [16]byte{0: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Info(tt.a.id, tt.a.batch, tt.a.role, tt.a.shares)
			b := Info(tt.b.id, tt.b.batch, tt.b.role, tt.b.shares)
			if string(a) == string(b) {
				t.Errorf("Info() collides: %x", a)
			}
		})
	}
}
