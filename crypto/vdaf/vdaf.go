// Package vdaf runs Prio3Histogram, as implemented by circl, over one
// report that carries one histogram per metric.
//
// A client calls Shard with one bucket index per metric and gets a public
// share and two input shares, one per aggregator, all as bytes. Each
// aggregator calls PrepInit on its own input share; the helper combines the
// two prep shares with Combine, which is where the proof is checked; both
// then finish with PrepNext and add the output share into an AggShare. The
// publisher calls Unshard on the two aggregate shares.
//
// The package does not encrypt, sign, store or transport anything, and it
// never learns which bucket a share encodes: that is the point of Prio3.
// Errors name the metric and the step, never share contents.
//
// circl follows the VDAF draft; see
// https://datatracker.ietf.org/doc/draft-irtf-cfrg-vdaf/ section 7.
package vdaf

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/cloudflare/circl/vdaf/prio3/histogram"
)

// The two aggregators, by their VDAF aggregator id.
const (
	Leader uint8 = 0
	Helper uint8 = 1
)

// NonceSize and VerifyKeySize are the sizes, in bytes, of a report nonce
// and of the verification key the two aggregators share.
const (
	NonceSize     = 16
	VerifyKeySize = 32
)

// Nonce is the public per-report value the shares are bound to. The
// report id serves as the nonce.
type Nonce = [NonceSize]byte

// VerifyKey is the secret both aggregators hold and clients never see.
type VerifyKey = [VerifyKeySize]byte

// Sentinel errors. A report that fails any of them is dropped by both
// aggregators.
var (
	ErrMeasurement = errors.New("measurement out of range")
	ErrShape       = errors.New("wrong number of metrics")
	ErrDecode      = errors.New("malformed share")
	ErrPrepInit    = errors.New("share inconsistent with public share")
	ErrProof       = errors.New("proof check failed")
	ErrPrepNext    = errors.New("prep message does not match")
	ErrAggregate   = errors.New("aggregate does not decode")
)

// VDAF is Prio3Histogram for a fixed list of histogram lengths, one per
// metric, in methodology order.
type VDAF struct {
	metrics []metric
}

type metric struct {
	name   string
	ctx    []byte
	length int
	chunk  int
	// proto answers Params only, which reads nothing an operation
	// changes, so it is shared.
	proto *histogram.Histogram
	// pool holds circl instances of this metric's histogram. An
	// instance keeps a hash state inside it, so one instance must not
	// serve two calls at once: each call borrows one, and a node
	// preparing many uploads at once gets as many instances.
	pool *sync.Pool
}

// inst borrows an instance; call done when finished with it.
func (m *metric) inst() (h *histogram.Histogram, done func()) {
	h = m.pool.Get().(*histogram.Histogram)
	return h, func() { m.pool.Put(h) }
}

// Spec describes one metric's histogram: its name (for errors and the
// VDAF context) and its number of buckets.
type Spec struct {
	Name    string
	Buckets int
}

// New returns the VDAF for the given metrics. The context binds every
// share to one methodology: pass a string that includes the methodology
// digest, so a share made for one methodology fails under another.
func New(context string, specs []Spec) (*VDAF, error) {
	if len(specs) == 0 {
		return nil, ErrShape
	}
	v := &VDAF{metrics: make([]metric, len(specs))}
	for i, s := range specs {
		if s.Buckets < 2 {
			return nil, fmt.Errorf("metric %q: %d buckets: %w",
				s.Name, s.Buckets, ErrShape)
		}
		m, err := newMetric(context, s)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", s.Name, err)
		}
		v.metrics[i] = m
	}
	return v, nil
}

func newMetric(context string, s Spec) (metric, error) {
	chunk := ChunkLength(s.Buckets)
	ctx := []byte(context + "/" + s.Name)
	build := func() (*histogram.Histogram, error) {
		return histogram.New(2, uint(s.Buckets), uint(chunk), ctx)
	}
	h, err := build()
	if err != nil {
		return metric{}, err
	}
	pool := &sync.Pool{New: func() any {
		// The same parameters succeeded just above, so this cannot
		// fail; a nil would fail loudly at the first use.
		h, _ := build()
		return h
	}}
	return metric{name: s.Name, ctx: ctx, length: s.Buckets, chunk: chunk,
		proto: h, pool: pool}, nil
}

// ChunkLength is the Prio3Histogram chunk length used for a histogram of
// n buckets. The proof's polynomials have one point per gadget call plus
// one, padded to a power of two, and the gadget's width grows with the
// chunk length; so the chunk length minimises c + pow2(ceil(n/c)+1),
// the smaller on a tie. BenchmarkChunkLength measured this rule against
// every nearby length (BENCHMARKS.md): it picked the fastest, or one within
// noise of it, for 13, 25, 31 and 40 buckets.
func ChunkLength(n int) int {
	best, bestCost := 1, -1
	for c := 1; c <= n; c++ {
		calls := (n + c - 1) / c
		cost := c + nextPow2(calls+1)
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

func nextPow2(x int) int {
	p := 1
	for p < x {
		p <<= 1
	}
	return p
}

// NumMetrics is the number of histograms in a report.
func (v *VDAF) NumMetrics() int { return len(v.metrics) }

// Context is the VDAF application context of metric i: the context given
// to New, a slash and the metric name.
func (v *VDAF) Context(i int) []byte {
	return append([]byte(nil), v.metrics[i].ctx...)
}

// Buckets is the number of buckets of metric i.
func (v *VDAF) Buckets(i int) int { return v.metrics[i].length }

// Shares is one report's sharded measurement: a public share per metric
// and, per aggregator, an input share per metric.
type Shares struct {
	Public [][]byte
	Input  [2][][]byte
}

// Shard splits one bucket index per metric into shares. Fresh randomness
// is drawn for each metric, as circl keeps references into the buffer.
func (v *VDAF) Shard(meas []uint64, nonce *Nonce) (*Shares, error) {
	if len(meas) != len(v.metrics) {
		return nil, ErrShape
	}
	s := &Shares{Public: make([][]byte, len(meas))}
	s.Input[Leader] = make([][]byte, len(meas))
	s.Input[Helper] = make([][]byte, len(meas))
	for i, m := range v.metrics {
		if meas[i] >= uint64(m.length) {
			return nil, fmt.Errorf("metric %q: %w", m.name, ErrMeasurement)
		}
		if err := m.shard(s, i, meas[i], nonce); err != nil {
			return nil, fmt.Errorf("shard metric %q: %w", m.name, err)
		}
	}
	return s, nil
}

func (m *metric) shard(s *Shares, i int, meas uint64, nonce *Nonce) error {
	params := m.proto.Params()
	buf := make([]byte, params.RandSize())
	if _, err := rand.Read(buf); err != nil {
		return err
	}

	h, done := m.inst()
	pub, in, err := h.Shard(meas, (*histogram.Nonce)(nonce), buf)
	done()
	if err != nil {
		return err
	}

	if s.Public[i], err = pub.MarshalBinary(); err != nil {
		return err
	}
	if s.Input[Leader][i], err = in[Leader].MarshalBinary(); err != nil {
		return err
	}
	s.Input[Helper][i], err = in[Helper].MarshalBinary()
	return err
}
